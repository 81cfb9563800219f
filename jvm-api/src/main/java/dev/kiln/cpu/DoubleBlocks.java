package dev.kiln.cpu;

import dev.kiln.spi.NdArray;

/**
 * Copies strided 2-D blocks of float32 / float64 storage to and from contiguous double scratch, so a
 * kernel is written once, computes in double, and serves both dtypes (float32 values convert exactly).
 */
final class DoubleBlocks {
    private DoubleBlocks() {
    }

    /** The Java array behind a CPU tensor. */
    static Object data(NdArray t) {
        return CpuStorage.array(t);
    }

    /** dst[dstOff + r * cols + c] = src[off + r * rs + c * cs] for r &lt; rows, c &lt; cols. */
    static void read(Object src, int off, int rows, int rs, int cols, int cs, double[] dst, int dstOff) {
        if (src instanceof float[] f) {
            for (int r = 0; r < rows; r++) {
                int s = off + r * rs;
                int d = dstOff + r * cols;
                if (cs == 1) {
                    widenRow(f, s, dst, d, cols);
                } else {
                    for (int c = 0; c < cols; c++) {
                        dst[d + c] = f[s + c * cs];
                    }
                }
            }
        } else {
            double[] a = (double[]) src;
            for (int r = 0; r < rows; r++) {
                int s = off + r * rs;
                int d = dstOff + r * cols;
                if (cs == 1) {
                    System.arraycopy(a, s, dst, d, cols);
                } else {
                    for (int c = 0; c < cols; c++) {
                        dst[d + c] = a[s + c * cs];
                    }
                }
            }
        }
    }

    /** A contiguous row widened in a loop without strides, which the JIT vectorises. */
    private static void widenRow(float[] src, int s, double[] dst, int d, int len) {
        for (int c = 0; c < len; c++) {
            dst[d + c] = src[s + c];
        }
    }

    /** dst[off + r * rs + c] = src[srcOff + r * cols + c], rounded to dst's dtype. */
    static void write(double[] src, int srcOff, int rows, int cols, Object dst, int off, int rs) {
        if (dst instanceof float[] f) {
            for (int r = 0; r < rows; r++) {
                int s = srcOff + r * cols;
                int d = off + r * rs;
                for (int c = 0; c < cols; c++) {
                    f[d + c] = (float) src[s + c];
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, srcOff + r * cols, (double[]) dst, off + r * rs, cols);
            }
        }
    }

    /** A 1-D view's values as a new double[] (read through its stride). */
    static double[] vector(NdArray t) {
        double[] d = new double[t.numel()];
        read(data(t), t.storageOffset(), 1, 0, d.length, t.stride(0), d, 0);
        return d;
    }

    /** One element as double. */
    static double get(Object src, int i) {
        return src instanceof float[] f ? f[i] : ((double[]) src)[i];
    }
}
