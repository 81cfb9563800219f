package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.ReduceOp;

/**
 * Reductions. The input is laid out once as (kept dims..., reduced dims...) in float64 (int64 for
 * integers), so each output element reduces one contiguous run; float sums accumulate in double.
 */
final class CpuReduce {
    /** Columns per task of {@link #sumRows}: a bias's 256 columns make 4 tasks. */
    private static final int ROW_SUM_BLOCK = 64;

    private CpuReduce() {
    }

    /** x permuted so the reduced dims come last, as a contiguous float64 or int64 tensor. */
    private record Runs(NdArray data, int count, int length, int[] outShape) {
        static Runs of(NdArray x, int[] dims, boolean keepdim, DType accumulate) {
            int r = x.dim();
            boolean[] reduced = new boolean[r];
            for (int d : dims) {
                reduced[d] = true;
            }
            int[] perm = new int[r];
            int k = 0;
            int count = 1;
            int length = 1;
            int[] outShape = new int[keepdim ? r : r - dims.length];
            int o = 0;
            for (int d = 0; d < r; d++) {
                if (!reduced[d]) {
                    perm[k++] = d;
                    count *= x.size(d);
                    outShape[o++] = x.size(d);
                } else if (keepdim) {
                    outShape[o++] = 1;
                }
            }
            for (int d : dims) {
                perm[k++] = d;
                length *= x.size(d);
            }
            NdArray p = x.permute(perm);
            NdArray data = p.isContiguous() && p.storageOffset() == 0 && p.dtype() == accumulate
                    && p.numel() == p.storage().size() ? p : CpuElementwise.cast(p, accumulate);
            return new Runs(data, count, length, outShape);
        }

        double[] doubles() {
            return (double[]) CpuStorage.array(data);
        }

        long[] longs() {
            return (long[]) CpuStorage.array(data);
        }
    }

    private static DType accumulator(DType dtype) {
        return dtype.isFloatingPoint() ? DType.FLOAT64 : DType.INT64;
    }

    static NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        if ((op == ReduceOp.SUM || op == ReduceOp.MEAN) && x.dtype() == DType.FLOAT32 && dims.length > 0
                && x.numel() > 0) {
            return leadingDims(x, dims) ? sumRows(op, x, dims.length, keepdim) : sumInPlace(op, x, dims, keepdim);
        }
        Runs runs = Runs.of(x, dims, keepdim, accumulator(x.dtype()));
        int len = runs.length();
        if (!x.dtype().isFloatingPoint()) {
            long[] a = runs.longs();
            long[] out = new long[runs.count()];
            Parallel.forRange(out.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    out[r] = reduceLong(op, a, r * len, len);
                }
            });
            return CpuElementwise.cast(CpuMap.ofArray(out, runs.outShape()), x.dtype());
        }
        double[] a = runs.doubles();
        double[] out = new double[runs.count()];
        if (out.length == 1 && len > 1 << 16) {
            out[0] = reduceSplit(op, a, len);
        } else {
            Parallel.forRange(out.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    out[r] = reduceDouble(op, a, r * len, len);
                }
            });
        }
        return CpuElementwise.cast(CpuMap.ofArray(out, runs.outShape()), x.dtype());
    }

    /** Whether dims are exactly x's leading dims (in any order) and x is contiguous: x is then rows to add up. */
    private static boolean leadingDims(NdArray x, int[] dims) {
        if (dims.length >= x.dim() || !x.isContiguous()) {
            return false;
        }
        boolean[] seen = new boolean[dims.length];
        for (int d : dims) {
            if (d >= dims.length || seen[d]) {
                return false;
            }
            seen[d] = true;
        }
        return true;
    }

    /**
     * SUM or MEAN of a contiguous float32 x over its `lead` leading dims: x is (rows, cols) and out[c] the sum of
     * column c, each column summed row after row in double (a bias's gradient: gy (N, T, C) over N and T). Row by
     * row, so every read is sequential; the strided per-column walk of {@link #sumInPlace} read one element per
     * cache line (a transformer's bias gradients: 18% of its training samples). Columns go in blocks of
     * ROW_SUM_BLOCK to the threads, so the sums do not depend on the thread count.
     */
    private static NdArray sumRows(ReduceOp op, NdArray x, int lead, boolean keepdim) {
        int rows = 1;
        for (int d = 0; d < lead; d++) {
            rows *= x.size(d);
        }
        int cols = x.numel() / rows;
        int[] outShape = new int[keepdim ? x.dim() : x.dim() - lead];
        for (int d = 0; d < x.dim(); d++) {
            if (d >= lead) {
                outShape[keepdim ? d : d - lead] = x.size(d);
            } else if (keepdim) {
                outShape[d] = 1;
            }
        }
        float[] data = (float[]) CpuStorage.array(x);
        int base = x.storageOffset();
        int n = rows;
        double[] out = new double[cols];
        int blocks = (cols + ROW_SUM_BLOCK - 1) / ROW_SUM_BLOCK;
        boolean vector = CpuGemm.usesVectorApi();
        Parallel.forRange(blocks, Math.max(1, (1 << 16) / Math.max(1, rows * ROW_SUM_BLOCK)), (b0, b1) -> {
            int c0 = b0 * ROW_SUM_BLOCK;
            int c1 = Math.min(cols, b1 * ROW_SUM_BLOCK);
            int rest = c0; // whole vectors of columns on the Vector API (the same sums), the rest one by one
            if (vector) {
                for (; rest + ReduceF32Vector.LANES <= c1; rest += ReduceF32Vector.LANES) {
                    ReduceF32Vector.columnSums(data, base, n, cols, rest, out);
                }
            }
            for (int r = 0; r < n; r++) {
                int at = base + r * cols;
                for (int c = rest; c < c1; c++) {
                    out[c] += data[at + c];
                }
            }
            if (op == ReduceOp.MEAN) {
                for (int c = c0; c < c1; c++) {
                    out[c] /= n;
                }
            }
        });
        return CpuElementwise.cast(CpuMap.ofArray(out, outShape), x.dtype());
    }

    /**
     * SUM or MEAN of a float32 tensor read where it lies (any strides), without the permuted float64 copy:
     * each output element runs over its reduced dims in the order given, in double, the innermost run
     * (merged with its neighbours where contiguous) as four interleaved sums, as {@link #reduceDouble}, or, when it is
     * contiguous and at least {@link ReduceF32Vector#RUN_LANES} long on the Vector API, as that many lanes of sums
     * ({@link ReduceF32Vector#addRun}: a convolution's bias gradient, (128, 32, 28, 28) over (0, 2, 3), 1.8 -> 0.36 ms
     * on one Zen 5 core). Either way each output's order is fixed, whatever the threads.
     */
    private static NdArray sumInPlace(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        int r = x.dim();
        boolean[] reduced = new boolean[r];
        for (int d : dims) {
            reduced[d] = true;
        }
        int[] keptSize = new int[r - dims.length];
        int[] keptStride = new int[keptSize.length];
        int[] outShape = new int[keepdim ? r : keptSize.length];
        int k = 0;
        for (int d = 0; d < r; d++) {
            if (!reduced[d]) {
                keptSize[k] = x.size(d);
                keptStride[k++] = x.stride()[d];
            }
            if (!reduced[d] || keepdim) {
                outShape[keepdim ? d : k - 1] = reduced[d] ? 1 : x.size(d);
            }
        }
        // reduced dims in the order given (the permuted layout's), neighbours merged where contiguous
        int[] size = new int[dims.length];
        int[] stride = new int[dims.length];
        int n = 0;
        int len = 1;
        for (int d : dims) {
            len *= x.size(d);
            if (x.size(d) == 1) {
                continue;
            }
            if (n > 0 && stride[n - 1] == x.stride()[d] * x.size(d)) {
                size[n - 1] *= x.size(d);
                stride[n - 1] = x.stride()[d];
            } else {
                size[n] = x.size(d);
                stride[n++] = x.stride()[d];
            }
        }
        int runs = n;
        int length = len;
        float[] data = (float[]) CpuStorage.array(x);
        double[] out = new double[Shape.numel(keptSize)];
        boolean lanes = runs > 0 && stride[runs - 1] == 1 && CpuGemm.usesVectorApi()
                && size[runs - 1] >= ReduceF32Vector.RUN_LANES;
        Parallel.forRange(out.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
            double[] acc = new double[lanes ? ReduceF32Vector.RUN_LANES : 4];
            int[] at = new int[Math.max(1, runs)];
            for (int o = r0; o < r1; o++) {
                int base = x.storageOffset();
                for (int d = keptSize.length - 1, rest = o; d >= 0; d--) {
                    base += rest % keptSize[d] * keptStride[d];
                    rest /= keptSize[d];
                }
                java.util.Arrays.fill(acc, 0);
                if (runs == 0) {
                    addRun(data, base, 1, 1, acc);
                } else {
                    // odometer over the outer reduced dims; the innermost is one run
                    java.util.Arrays.fill(at, 0);
                    int inner = runs - 1;
                    for (int pos = base; ; ) {
                        if (lanes) {
                            ReduceF32Vector.addRun(data, pos, size[inner], acc);
                        } else {
                            addRun(data, pos, size[inner], stride[inner], acc);
                        }
                        int d = inner - 1;
                        for (; d >= 0 && ++at[d] == size[d]; d--) {
                            pos -= (size[d] - 1) * stride[d];
                            at[d] = 0;
                        }
                        if (d < 0) {
                            break;
                        }
                        pos += stride[d];
                    }
                }
                double sum = lanes ? pairwise(acc, 0, acc.length) : (acc[0] + acc[1]) + (acc[2] + acc[3]);
                out[o] = op == ReduceOp.MEAN ? sum / length : sum;
            }
        });
        return CpuElementwise.cast(CpuMap.ofArray(out, outShape), x.dtype());
    }

    /** a[from] + ... + a[from + count - 1] added in halves, recursively. */
    private static double pairwise(double[] a, int from, int count) {
        return count == 1 ? a[from] : pairwise(a, from, count / 2) + pairwise(a, from + count / 2, count - count / 2);
    }

    /**
     * acc[q % 4] += data[from + q * stride] (in double) for the run's first 4 * (count / 4) elements q, the
     * rest into acc[0]; stride may be 0 (an expanded dim).
     */
    private static void addRun(float[] data, int from, int count, int stride, double[] acc) {
        double s0 = acc[0];
        double s1 = acc[1];
        double s2 = acc[2];
        double s3 = acc[3];
        int q = 0;
        int i = from;
        for (; q + 3 < count; q += 4, i += 4 * stride) {
            s0 += data[i];
            s1 += data[i + stride];
            s2 += data[i + 2 * stride];
            s3 += data[i + 3 * stride];
        }
        for (; q < count; q++, i += stride) {
            s0 += data[i];
        }
        acc[0] = s0;
        acc[1] = s1;
        acc[2] = s2;
        acc[3] = s3;
    }

    /** One long run reduced in parallel pieces, then the pieces combined. */
    private static double reduceSplit(ReduceOp op, double[] a, int len) {
        int pieces = Parallel.threads() * 4;
        double[] part = new double[pieces];
        int step = (len + pieces - 1) / pieces;
        ReduceOp pieceOp = op == ReduceOp.MEAN ? ReduceOp.SUM : op;
        Parallel.forRange(pieces, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int from = Math.min(len, p * step);
                part[p] = reduceDouble(pieceOp, a, from, Math.min(len, from + step) - from);
            }
        });
        double combined = reduceDouble(pieceOp, part, 0, pieces);
        return op == ReduceOp.MEAN ? combined / len : combined;
    }

    private static double reduceDouble(ReduceOp op, double[] a, int from, int len) {
        int to = from + len;
        switch (op) {
            case SUM:
            case MEAN: {
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = from;
                for (; i + 3 < to; i += 4) {
                    s0 += a[i];
                    s1 += a[i + 1];
                    s2 += a[i + 2];
                    s3 += a[i + 3];
                }
                for (; i < to; i++) {
                    s0 += a[i];
                }
                double s = (s0 + s1) + (s2 + s3);
                return op == ReduceOp.MEAN ? s / len : s;
            }
            case PROD: {
                double p = 1;
                for (int i = from; i < to; i++) {
                    p *= a[i];
                }
                return p;
            }
            case MAX: {
                double m = Double.NEGATIVE_INFINITY;
                for (int i = from; i < to; i++) {
                    if (a[i] > m || Double.isNaN(a[i])) {
                        m = a[i];
                        if (Double.isNaN(m)) {
                            break;
                        }
                    }
                }
                return m;
            }
            default: {
                double m = Double.POSITIVE_INFINITY;
                for (int i = from; i < to; i++) {
                    if (a[i] < m || Double.isNaN(a[i])) {
                        m = a[i];
                        if (Double.isNaN(m)) {
                            break;
                        }
                    }
                }
                return m;
            }
        }
    }

    private static long reduceLong(ReduceOp op, long[] a, int from, int len) {
        long acc = op == ReduceOp.PROD ? 1 : op == ReduceOp.MAX ? Long.MIN_VALUE : op == ReduceOp.MIN ? Long.MAX_VALUE : 0;
        for (int i = from; i < from + len; i++) {
            switch (op) {
                case PROD: acc *= a[i]; break;
                case MAX: acc = Math.max(acc, a[i]); break;
                case MIN: acc = Math.min(acc, a[i]); break;
                default: acc += a[i];
            }
        }
        return acc;
    }

    /** Returns {values, indices}: the first extreme along dim (the first NaN, if any). */
    static NdArray[] reduceWithIndices(ReduceOp op, NdArray x, int dim, boolean keepdim) {
        int[] dims = x.dim() == 0 ? new int[0] : new int[] {dim};
        Runs runs = Runs.of(x, dims, keepdim, accumulator(x.dtype()));
        int len = runs.length();
        long[] idx = new long[runs.count()];
        boolean max = op == ReduceOp.MAX;
        if (x.dtype().isFloatingPoint()) {
            double[] a = runs.doubles();
            double[] val = new double[runs.count()];
            Parallel.forRange(idx.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    int base = r * len;
                    int best = 0;
                    for (int i = 1; i < len && !Double.isNaN(a[base + best]); i++) {
                        double v = a[base + i];
                        if (Double.isNaN(v) || (max ? v > a[base + best] : v < a[base + best])) {
                            best = i;
                        }
                    }
                    idx[r] = best;
                    val[r] = a[base + best];
                }
            });
            return new NdArray[] {CpuElementwise.cast(CpuMap.ofArray(val, runs.outShape()), x.dtype()),
                CpuMap.ofArray(idx, runs.outShape())};
        }
        long[] a = runs.longs();
        long[] val = new long[runs.count()];
        Parallel.forRange(idx.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                int best = 0;
                for (int i = 1; i < len; i++) {
                    long v = a[base + i];
                    if (max ? v > a[base + best] : v < a[base + best]) {
                        best = i;
                    }
                }
                idx[r] = best;
                val[r] = a[base + best];
            }
        });
        return new NdArray[] {CpuMap.ofArray(val, runs.outShape()), CpuMap.ofArray(idx, runs.outShape())};
    }

    /** sum((x - mean)^2) / max(0, n - correction), two passes per run in double. */
    static NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim) {
        Runs runs = Runs.of(x, dims, keepdim, DType.FLOAT64);
        int len = runs.length();
        double[] a = runs.doubles();
        double[] out = new double[runs.count()];
        Parallel.forRange(out.length, Math.max(1, 65536 / Math.max(len, 1)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * len;
                double mean = reduceDouble(ReduceOp.MEAN, a, base, len);
                double ss = 0;
                for (int i = base; i < base + len; i++) {
                    double d = a[i] - mean;
                    ss += d * d;
                }
                out[r] = ss / Math.max(0, len - correction);
            }
        });
        return CpuElementwise.cast(CpuMap.ofArray(out, runs.outShape()), x.dtype());
    }

}
