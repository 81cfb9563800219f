package dev.kiln.cpu;

import dev.kiln.Tensor;

/**
 * The sparse-dense products (CSR, int64 indices checked by SparsePattern), for float32 and float64
 * alike: operands are read into double scratch through their strides (DoubleBlocks), sums run in
 * double in entry order, results round once to the dtype.
 */
final class CpuSparse {
    /** Multiply-adds per parallel piece: below this a loop start costs more than it saves. */
    private static final int GRAIN_MACS = 1 << 14;

    private CpuSparse() {
    }

    /** out (M, N) = A (M, K) @ x (K, N); A = (crow (M + 1), col (nnz), values (nnz)). */
    static Tensor sparseMm(Tensor crow, Tensor col, Tensor values, Tensor x) {
        int m = crow.numel() - 1;
        int k = x.size(0);
        int n = x.size(1);
        long[] ptr = longs(crow);
        long[] cols = longs(col);
        double[] v = doubles(values);
        double[] xd = new double[k * n];
        DoubleBlocks.read(DoubleBlocks.data(x), x.storageOffset(), k, x.stride(0), n, x.stride(1), xd, 0);
        double[] out = new double[m * n];
        long macsPerRow = Math.max(1, (long) n * cols.length / Math.max(1, m));
        Parallel.forRange(m, (int) Math.max(1, GRAIN_MACS / macsPerRow), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r * n;
                for (int e = (int) ptr[r]; e < (int) ptr[r + 1]; e++) {
                    double ve = v[e];
                    int xo = (int) cols[e] * n;
                    for (int j = 0; j < n; j++) {
                        out[o + j] += ve * xd[xo + j];
                    }
                }
            }
        });
        return result(out, new int[] {m, n}, x);
    }

    /** out (nnz): out[e] = sum_k a[row[e], k] b[k, col[e]]; a (M, K), b (K, N). */
    static Tensor sampledMm(Tensor row, Tensor col, Tensor a, Tensor b) {
        int m = a.size(0);
        int k = a.size(1);
        int n = b.size(1);
        long[] rows = longs(row);
        long[] cols = longs(col);
        double[] ad = new double[m * k];
        DoubleBlocks.read(DoubleBlocks.data(a), a.storageOffset(), m, a.stride(0), k, a.stride(1), ad, 0);
        double[] bt = new double[n * k];   // b^T (N, K): each entry's column of b is one contiguous row
        DoubleBlocks.read(DoubleBlocks.data(b), b.storageOffset(), n, b.stride(1), k, b.stride(0), bt, 0);
        double[] out = new double[rows.length];
        Parallel.forRange(out.length, Math.max(1, GRAIN_MACS / Math.max(1, k)), (lo, hi) -> {
            for (int e = lo; e < hi; e++) {
                int ao = (int) rows[e] * k;
                int bo = (int) cols[e] * k;
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += ad[ao + i] * bt[bo + i];
                }
                out[e] = s;
            }
        });
        return result(out, new int[] {out.length}, a);
    }

    private static long[] longs(Tensor index) {
        return (long[]) CpuStorage.array(CpuElementwise.contiguous(index));
    }

    private static double[] doubles(Tensor t) {
        double[] d = new double[t.numel()];
        DoubleBlocks.read(DoubleBlocks.data(t), t.storageOffset(), 1, 0, d.length, t.stride(0), d, 0);
        return d;
    }

    /** values as a new contiguous tensor of {@code shape} and like's dtype. */
    private static Tensor result(double[] values, int[] shape, Tensor like) {
        Tensor t = CpuMap.emptyTensor(shape, like.dtype());
        DoubleBlocks.write(values, 0, 1, values.length, DoubleBlocks.data(t), 0, 0);
        return t;
    }
}
