package dev.kiln.cpu;

import dev.kiln.DType;

/**
 * A thread's scratch rows and tile products for the tasks of kernels (attention's tiles, batch norm's blocks), kept from
 * one call to the next: allocated per task, a small transformer's attention and layer norms drew ~0.6 GB/s of fresh
 * arrays, and the young collections they caused. Rows come with whatever the last user left in them. A task takes
 * its rows, uses them and returns before its thread runs another task (these kernels call no other kernel that takes
 * rows), so no two users share a row.
 */
final class TaskScratch {
    private static final ThreadLocal<TaskScratch> LOCAL = ThreadLocal.withInitial(TaskScratch::new);
    private static final int SLOTS = 6;

    private final double[][] rows = new double[SLOTS][0];
    private final TileGemm[] gemms = new TileGemm[2];

    private TaskScratch() {
    }

    /** This thread's scratch. */
    static TaskScratch get() {
        return LOCAL.get();
    }

    /** Row {@code slot} (below 6), at least size doubles long. */
    double[] row(int slot, int size) {
        if (rows[slot].length < size) {
            rows[slot] = new double[size];
        }
        return rows[slot];
    }

    /** This thread's tile product for dtype. */
    TileGemm gemm(DType dtype) {
        int i = dtype == DType.FLOAT32 ? 0 : 1;
        if (gemms[i] == null) {
            gemms[i] = new TileGemm(dtype);
        }
        return gemms[i];
    }
}
