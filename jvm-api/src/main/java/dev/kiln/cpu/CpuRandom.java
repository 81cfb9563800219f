package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Philox;

/**
 * uniform, normal and dropout from Philox(seed, offset + i / per), every word of a block used (Philox's
 * class comment): the same numbers every backend draws.
 */
final class CpuRandom {
    /** Blocks per parallel piece: each is a 10-round Philox. */
    private static final int GRAIN_BLOCKS = 1024;

    private CpuRandom() {
    }

    /**
     * Uniform draws per block at dtype's resolution: two two-word float64 ones, else four one-word float32
     * ones (bfloat16 and float16 draw float32's and round them).
     */
    static int perBlock(DType dtype) {
        return dtype == DType.FLOAT64 ? 2 : 4;
    }

    /** Uniform draw j (below perBlock) of block w, in [0, 1) at dtype's resolution. */
    static double uniform01(DType dtype, int[] w, int j) {
        return dtype == DType.FLOAT64 ? Philox.uniform53(w[2 * j], w[2 * j + 1]) : Philox.uniform24(w[j]);
    }

    /** What a random op does with element i, which takes word set j of block w. */
    private interface Element {
        void draw(int i, int[] w, int j);
    }

    /** Runs f for every element of [0, n): element i takes word set i % per of block offset + i / per. */
    private static void forEachDraw(int n, int per, long seed, long offset, Element f) {
        int blocks = (int) (((long) n + per - 1) / per);
        Parallel.forRange(blocks, GRAIN_BLOCKS, (b0, b1) -> {
            int[] w = new int[4];
            for (int b = b0; b < b1; b++) {
                Philox.block(seed, offset + b, w);
                int first = b * per;
                for (int j = 0; j < per && first + j < n; j++) {
                    f.draw(first + j, w, j);
                }
            }
        });
    }

    static NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset) {
        double[] values = new double[Shape.numel(shape)];
        forEachDraw(values.length, perBlock(dtype), seed, offset,
                (i, w, j) -> values[i] = low + (high - low) * uniform01(dtype, w, j));
        return CpuElementwise.cast(CpuMap.ofArray(values, shape), dtype);
    }

    static NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset) {
        double[] values = new double[Shape.numel(shape)];
        forEachDraw(values.length, 2, seed, offset, (i, w, j) -> values[i] = mean + std * Philox.normal(w, j));
        return CpuElementwise.cast(CpuMap.ofArray(values, shape), dtype);
    }

    /** Returns {y, mask}: element i is kept when its uniform draw is >= p. */
    static NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        int n = x.numel();
        boolean[] keep = new boolean[n];
        DType dtype = x.dtype();
        forEachDraw(n, perBlock(dtype), seed, offset, (i, w, j) -> keep[i] = uniform01(dtype, w, j) >= p);
        NdArray mask = CpuMap.ofArray(keep, x.shape());
        double scale = 1.0 / (1.0 - p);
        NdArray y = CpuMap.mapDouble(x.shape(), dtype, (in, o, len) -> {
            for (int i = 0; i < len; i++) {
                o[i] = in[1][i] != 0 ? in[0][i] * scale : 0.0;
            }
        }, x, mask);
        return new NdArray[] {y, mask};
    }
}
