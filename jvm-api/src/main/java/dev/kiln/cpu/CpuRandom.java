package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.Philox;

/** uniform, normal and dropout from Philox(seed, offset + i): the same numbers every backend draws. */
final class CpuRandom {
    private CpuRandom() {
    }

    /** The uniform [0, 1) value of element i at the dtype's resolution. */
    static double uniform01(DType dtype, long seed, long counter, int[] words) {
        Philox.block(seed, counter, words);
        return dtype == DType.FLOAT32 ? Philox.uniform24(words[0]) : Philox.uniform53(words[0], words[1]);
    }

    static Tensor uniform(int[] shape, DType dtype, double low, double high, long seed, long offset) {
        double[] values = new double[Shape.numel(shape)];
        Parallel.forRange(values.length, 4096, (i0, i1) -> {
            int[] w = new int[4];
            for (int i = i0; i < i1; i++) {
                values[i] = low + (high - low) * uniform01(dtype, seed, offset + i, w);
            }
        });
        return CpuElementwise.cast(CpuMap.ofArray(values, shape), dtype);
    }

    static Tensor normal(int[] shape, DType dtype, double mean, double std, long seed, long offset) {
        double[] values = new double[Shape.numel(shape)];
        Parallel.forRange(values.length, 4096, (i0, i1) -> {
            int[] w = new int[4];
            for (int i = i0; i < i1; i++) {
                Philox.block(seed, offset + i, w);
                values[i] = mean + std * Philox.normal(w);
            }
        });
        return CpuElementwise.cast(CpuMap.ofArray(values, shape), dtype);
    }

    /** Returns {y, mask}: element i is kept when its uniform draw is >= p. */
    static Tensor[] dropout(Tensor x, double p, long seed, long offset) {
        int n = x.numel();
        boolean[] keep = new boolean[n];
        DType dtype = x.dtype();
        Parallel.forRange(n, 4096, (i0, i1) -> {
            int[] w = new int[4];
            for (int i = i0; i < i1; i++) {
                keep[i] = uniform01(dtype, seed, offset + i, w) >= p;
            }
        });
        Tensor mask = CpuMap.ofArray(keep, x.shape());
        double scale = 1.0 / (1.0 - p);
        Tensor y = CpuMap.mapDouble(x.shape(), dtype, (in, o, len) -> {
            for (int i = 0; i < len; i++) {
                o[i] = in[1][i] != 0 ? in[0][i] * scale : 0.0;
            }
        }, x, mask);
        return new Tensor[] {y, mask};
    }
}
