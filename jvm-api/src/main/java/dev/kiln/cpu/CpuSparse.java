package dev.kiln.cpu;

import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * The sparse-dense products (CSR, int64 indices checked by SparsePattern), for float32 and float64
 * alike: one walker over rows or entries, with only the innermost loop (a row's axpy over its entries,
 * dot) specialised on the storage array's type. Dense operands are read in their own dtype (a gathered float32 row is half the
 * cache lines of a widened one: the gathers, not the arithmetic, bound these products); sums run in
 * double in entry order and round once to the dtype.
 */
final class CpuSparse {
    /** Multiply-adds per parallel piece: below this a loop start costs more than it saves. */
    private static final int GRAIN_MACS = 1 << 14;

    private CpuSparse() {
    }

    /** out (M, N) = A (M, K) @ x (K, N); A = (crow (M + 1), col (nnz), values (nnz)). */
    static NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        int m = crow.numel() - 1;
        int n = x.size(1);
        long[] ptr = longs(crow);
        long[] cols = longs(col);
        double[] v = DoubleBlocks.vector(values);
        NdArray xc = CpuElementwise.asContiguous(x);   // (K, N): rows of n elements from xOff
        Object xs = CpuStorage.array(xc);
        int xOff = xc.storageOffset();
        NdArray out = CpuMap.emptyArray(new int[] {m, n}, x.dtype());
        Object os = CpuStorage.array(out);
        long macsPerRow = Math.max(1, (long) n * cols.length / Math.max(1, m));
        Parallel.forRange(m, (int) Math.max(1, GRAIN_MACS / macsPerRow), (lo, hi) -> {
            double[] acc = new double[n];
            for (int r = lo; r < hi; r++) {
                Arrays.fill(acc, 0);
                int end = (int) ptr[r + 1];
                if (xs instanceof float[] f) {
                    for (int e = (int) ptr[r]; e < end; e++) {
                        double ve = v[e];
                        int xo = xOff + (int) cols[e] * n;
                        for (int j = 0; j < n; j++) {
                            acc[j] += ve * f[xo + j];
                        }
                    }
                } else {
                    double[] d = (double[]) xs;
                    for (int e = (int) ptr[r]; e < end; e++) {
                        double ve = v[e];
                        int xo = xOff + (int) cols[e] * n;
                        for (int j = 0; j < n; j++) {
                            acc[j] += ve * d[xo + j];
                        }
                    }
                }
                DoubleBlocks.write(acc, 0, 1, n, os, r * n, 0);
            }
        });
        return out;
    }

    /** out (nnz): out[e] = sum_k a[row[e], k] b[k, col[e]]; a (M, K), b (K, N). */
    static NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        int k = a.size(1);
        long[] rows = longs(row);
        long[] cols = longs(col);
        NdArray ac = CpuElementwise.asContiguous(a);                                   // (M, K)
        NdArray bt = CpuElementwise.asContiguous(b.permute(new int[] {1, 0}));   // (N, K): b's columns as rows
        Object as = CpuStorage.array(ac);
        Object bs = CpuStorage.array(bt);
        int aOff = ac.storageOffset();
        int bOff = bt.storageOffset();
        double[] out = new double[rows.length];
        Parallel.forRange(out.length, Math.max(1, GRAIN_MACS / Math.max(1, k)), (lo, hi) -> {
            for (int e = lo; e < hi; e++) {
                out[e] = dot(as, aOff + (int) rows[e] * k, bs, bOff + (int) cols[e] * k, k);
            }
        });
        NdArray t = CpuMap.emptyArray(new int[] {out.length}, a.dtype());
        DoubleBlocks.write(out, 0, 1, out.length, DoubleBlocks.data(t), 0, 0);
        return t;
    }

    /** sum_i x[xo + i] y[yo + i] over i < k, in double; x and y both float[] or both double[]. */
    private static double dot(Object x, int xo, Object y, int yo, int k) {
        double s = 0;
        if (x instanceof float[] f) {
            float[] g = (float[]) y;
            for (int i = 0; i < k; i++) {
                s += (double) f[xo + i] * g[yo + i];
            }
        } else {
            double[] d = (double[]) x;
            double[] h = (double[]) y;
            for (int i = 0; i < k; i++) {
                s += d[xo + i] * h[yo + i];
            }
        }
        return s;
    }

    /** The index values, without a copy for the pattern's own tensors (contiguous from element 0). */
    private static long[] longs(NdArray index) {
        NdArray c = CpuElementwise.asContiguous(index);
        return (long[]) CpuStorage.array(c.storageOffset() == 0 ? c : CpuElementwise.contiguous(index));
    }
}
