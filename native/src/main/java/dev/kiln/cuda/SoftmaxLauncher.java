package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * kernels/softmax.cu: inputs made contiguous and viewed as (outer, d, inner) around dim. The forward
 * along the last dim holds rows in registers (softmax_rows*) up to 1024 threads times the most
 * elements a thread holds; other rows of up to 1024 elements get one warp each (8 rows per block of
 * 256), longer rows one block each.
 */
final class SoftmaxLauncher extends Launcher {
    private static final int WARP_ROW_LIMIT = 1024;
    private static final int ROWS_PER_BLOCK = 8;
    /** The elements per thread softmax_rows is compiled for; float64 stops at 16 (no registers for 32 at 1024 threads). */
    private static final int[] ROW_ELEMENTS_F32 = {4, 8, 16, 32};
    private static final int[] ROW_ELEMENTS_F64 = {4, 8, 16};
    /** The elements per thread aimed at: two float32 packs, enough loads in flight per thread. */
    private static final int ROW_ELEMENTS_AIM = 8;

    SoftmaxLauncher(CudaContext context) {
        super(context);
    }

    /** A tensor viewed as (outer, d, inner) around dim: outer * inner rows of d elements. */
    private record Rows(int outer, int d, int inner) {
        static Rows around(int[] shape, int dim) {
            int outer = 1;
            int inner = 1;
            for (int i = 0; i < dim; i++) {
                outer *= shape[i];
            }
            for (int i = dim + 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            return new Rows(outer, shape.length == 0 ? 1 : shape[dim], inner);
        }

        /** The kernels' (outer, d, inner, log) arguments. */
        KernelArgs append(KernelArgs args, boolean log) {
            return args.i32(outer).i32(d).i32(inner).i32(log ? 1 : 0);
        }
    }

    private void launchRows(String kernel, DType t, Rows s, KernelArgs args) {
        int rows = s.outer() * s.inner();
        if (s.d() <= WARP_ROW_LIMIT) {
            launch("softmax", t, "softmax_" + kernel + "warp_" + KernelLayout.suffix(t),
                    Dim3.of((rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK), new Dim3(32, ROWS_PER_BLOCK, 1), 0, args);
        } else {
            launch("softmax", t, "softmax_" + kernel + "block_" + KernelLayout.suffix(t),
                    Dim3.of(Math.min(rows, 65535)), Dim3.of(BLOCK), 0, args);
        }
    }

    NdArray forward(NdArray x, int dim, boolean log) {
        DType t = x.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported(log ? "log_softmax" : "softmax", t);
        }
        NdArray y = newArray(x.shape(), t);
        Rows s = Rows.around(x.shape(), dim);
        if (y.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                NdArray in = tmp.contiguous(x);
                int[] perThread = t == DType.FLOAT64 ? ROW_ELEMENTS_F64 : ROW_ELEMENTS_F32;
                if (s.inner() == 1 && s.d() <= 1024 * perThread[perThread.length - 1]) {
                    launchRowsInRegisters(in, y, s.outer(), s.d(), log, perThread);
                } else {
                    launchRows("", t, s, s.append(new KernelArgs().ptr(in).ptr(y), log));
                }
            }
        }
        return y;
    }

    /**
     * x, y: (rows, d) with d <= 1024 times the largest of perThread. Threads per row: enough for
     * about {@link #ROW_ELEMENTS_AIM} elements each, a multiple of 32, 32 to 1024; a warp per row
     * takes 8 rows per block.
     */
    private void launchRowsInRegisters(NdArray x, NdArray y, int rows, int d, boolean log, int[] perThread) {
        int threads = Math.min(1024, Math.max(32, (d / ROW_ELEMENTS_AIM + 31) / 32 * 32));
        int n = perThread[0];
        for (int k = 1; (long) threads * n < d; k++) {
            n = perThread[k];
        }
        int rowsPerBlock = threads == 32 ? ROWS_PER_BLOCK : 1;
        launch("softmax", y.dtype(), "softmax_rows" + n + "_" + KernelLayout.suffix(y.dtype()),
                Dim3.of((rows + rowsPerBlock - 1) / rowsPerBlock), new Dim3(threads, rowsPerBlock, 1), 0,
                new KernelArgs().ptr(x).ptr(y).i32(rows).i32(d).i32(log ? 1 : 0));
    }

    NdArray backward(NdArray gy, NdArray y, int dim, boolean log) {
        DType t = y.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported(log ? "log_softmax_backward" : "softmax_backward", t);
        }
        NdArray gx = newArray(y.shape(), t);
        Rows s = Rows.around(y.shape(), dim);
        if (gx.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                launchRows("bwd", t, s, s.append(new KernelArgs().ptr(tmp.contiguous(gy)).ptr(tmp.contiguous(y)).ptr(gx), log));
            }
        }
        return gx;
    }
}
