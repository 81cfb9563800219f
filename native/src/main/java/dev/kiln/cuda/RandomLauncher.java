package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * kernels/random.cu: uniform, normal and dropout from Philox(seed, offset + i), equal to the CPU
 * backend's values and masks. Every entry computes in double (as the SPI defines the values), so
 * all are in the family's f64 module, float32 outputs included.
 */
final class RandomLauncher extends Launcher {
    RandomLauncher(CudaContext context) {
        super(context);
    }

    /** The f64-module entry of op writing dtype. */
    private String entry(String op, DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw unsupported(op, dtype);
        }
        return op + (dtype == DType.FLOAT32 ? "_tof32_f64" : "_f64");
    }

    /** Uniform in [low, high): low + (high - low) u with u at the dtype's resolution (Philox.uniform24 / 53). */
    NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset) {
        String kernel = entry("uniform", dtype);
        NdArray y = newArray(shape, dtype);
        int n = y.numel();
        if (n > 0) {
            launch("random", DType.FLOAT64, kernel, gridFor(blocks(n, perBlock(dtype)), BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(y).i32(n).i64(seed).i64(offset).f64(low).f64(high - low));
        }
        return y;
    }

    /** mean + std z, z standard normal by Box-Muller (Philox.normal). */
    NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset) {
        String kernel = entry("normal", dtype);
        NdArray y = newArray(shape, dtype);
        int n = y.numel();
        if (n > 0) {
            launch("random", DType.FLOAT64, kernel, gridFor(blocks(n, 2), BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(y).i32(n).i64(seed).i64(offset).f64(mean).f64(std));
        }
        return y;
    }

    /** Uniform draws per Philox block (philox.cuh's UniformBits::per_block): four float32, two float64. */
    private static int perBlock(DType dtype) {
        return dtype == DType.FLOAT32 ? 4 : 2;
    }

    /** Philox blocks for n draws, per to a block: one thread each. */
    private static long blocks(int n, int per) {
        return ((long) n + per - 1) / per;
    }

    /**
     * The least integer m with m 2^-bits >= p: a draw u = m 2^-bits is kept (u >= p) exactly when
     * m >= this. Exact, as p 2^bits only scales p by a power of two; NaN p keeps nothing, as u >= NaN.
     */
    static long keepThreshold(double p, int bits) {
        double t = Math.ceil(Math.scalb(p, bits));
        return Double.isNaN(t) ? Long.MAX_VALUE : (long) t;
    }

    /** Returns {y, mask}: element i kept when its uniform draw is >= p; y = x * mask / (1 - p). */
    NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        DType t = x.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported("dropout", t);
        }
        int[] shape = x.shape();
        KernelLayout.checkRank("dropout", shape);
        NdArray y = newArray(shape, t);
        NdArray mask = newArray(shape, DType.BOOL);
        int n = y.numel();
        if (n > 0) {
            boolean f32 = t == DType.FLOAT32;
            KernelLayout.Merged m = KernelLayout.merge(shape, x);
            launch("random", DType.FLOAT64, f32 ? "dropout_onf32_f64" : "dropout_f64", gridFor(blocks(n, perBlock(t)), BLOCK),
                    Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(x).ptr(y).ptr(mask).bytes(m.shape8())
                            .bytes(m.strides8(0)).i32(n).i64(seed).i64(offset)
                            .i64(keepThreshold(p, f32 ? 24 : 53)).f64(1.0 / (1.0 - p)));
        }
        return new NdArray[] {y, mask};
    }
}
