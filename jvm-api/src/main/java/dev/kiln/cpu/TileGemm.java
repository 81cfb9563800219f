package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * C (m, n) = A (m, k) B (k, n) through {@link CpuGemm} in one float dtype, for kernels that keep their
 * tiles in double: an operand is either tensor storage (read in place through its strides) or a
 * double scratch tile (rounded to float first under float32); C is always a double array. One
 * instance per thread: it owns the float32 scratch.
 */
final class TileGemm {
    /** Matrix operand: element (r, c) is data[off + r * rs + c * cs]. */
    record Operand(Object data, int off, int rs, int cs) {
        /** Rows row0.. of batch entry b of a 3-D tensor t (B, L, D), as an (L - row0, D) matrix. */
        static Operand rows(NdArray t, int b, int row0) {
            return new Operand(DoubleBlocks.data(t), t.storageOffset() + b * t.stride(0) + row0 * t.stride(1), t.stride(1),
                    t.stride(2));
        }

        Operand transposed() {
            return new Operand(data, off, cs, rs);
        }
    }

    private final boolean f32;
    private float[] a32 = new float[0];
    private float[] b32 = new float[0];
    private float[] c32 = new float[0];

    TileGemm(DType dtype) {
        this.f32 = dtype == DType.FLOAT32;
    }

    /** c[r * ldc + j] = (A B)[r][j], or += when accumulate. */
    void mul(int m, int n, int k, Operand a, Operand b, double[] c, int ldc, boolean accumulate) {
        if (!f32) {
            CpuGemm.dgemm(m, n, k, (double[]) a.data, a.off, a.rs, a.cs, (double[]) b.data, b.off, b.rs, b.cs, c, 0, ldc,
                    accumulate);
            return;
        }
        a32 = grow(a32, m * k);
        b32 = grow(b32, k * n);
        c32 = grow(c32, m * n);
        Operand fa = a.data instanceof double[] d ? toFloat(d, a, m, k, a32) : a;
        Operand fb = b.data instanceof double[] d ? toFloat(d, b, k, n, b32) : b;
        CpuGemm.sgemm(m, n, k, (float[]) fa.data, fa.off, fa.rs, fa.cs, (float[]) fb.data, fb.off, fb.rs, fb.cs, c32, 0, n,
                false);
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < n; j++) {
                c[r * ldc + j] = accumulate ? c[r * ldc + j] + c32[r * n + j] : c32[r * n + j];
            }
        }
    }

    /** The (rows, cols) double operand rounded into dst, as a contiguous float operand. */
    private static Operand toFloat(double[] src, Operand o, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                dst[r * cols + j] = (float) src[o.off + r * o.rs + j * o.cs];
            }
        }
        return new Operand(dst, 0, cols, 1);
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }
}
