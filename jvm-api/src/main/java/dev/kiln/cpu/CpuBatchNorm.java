package dev.kiln.cpu;

import dev.kiln.spi.NdArray;

/**
 * Batch normalisation's four primitives (see {@link dev.kiln.spi.Backend#batchNormStats}): x (N, C, *)
 * is made contiguous and seen as (N, C, S), so channel c is N runs of S elements, run n starting at
 * (n C + c) S. Reductions take one channel per task and read it in blocks of double scratch (sums in
 * double, four partial sums each); the elementwise passes take runs, computed in double and rounded
 * once. One body serves float32 and float64.
 */
final class CpuBatchNorm {
    /** float32 sums on the Vector API where its GEMM runs ({@link CpuGemm#usesVectorApi()}). */
    private static final boolean VECTOR = CpuGemm.usesVectorApi();
    /** Doubles per scratch block: a block stays in L1/L2 while the passes over it run. */
    private static final int BLOCK = 4096;

    private CpuBatchNorm() {
    }

    /** x (N, C, *) as (N, C, S), and how a channel is cut into blocks of rows of up to BLOCK doubles. */
    private record Layout(int n, int c, int s) {
        static Layout of(int[] shape) {
            int s = 1;
            for (int d = 2; d < shape.length; d++) {
                s *= shape[d];
            }
            return new Layout(shape[0], shape[1], s);
        }

        long count() {
            return (long) n * s;
        }

        /** Columns of a run per block (a run longer than BLOCK is cut) and rows (runs) per block. */
        int cols() {
            return Math.max(1, Math.min(s, BLOCK));
        }

        int rows() {
            return Math.max(1, BLOCK / cols());
        }

        /** Tasks of the elementwise passes: (n, c) runs, cut into pieces of cols(). */
        int pieces() {
            return (s + cols() - 1) / cols();
        }

        int runGrain() {
            return Math.max(1, 16384 / Math.max(1, s));
        }

        /** Channels per task: enough values that a task outweighs starting it. */
        int channelGrain() {
            return (int) Math.max(1, 16384 / Math.max(1, count()));
        }
    }

    /** Reads block (n0.., col0..) of rows x cols of channel ch from src (from base) into dst. */
    private static void readBlock(Object src, int base, Layout l, int ch, int n0, int rows, int col0, int cols, double[] dst) {
        DoubleBlocks.read(src, base + (n0 * l.c + ch) * l.s + col0, rows, l.c * l.s, cols, 1, dst, 0);
    }

    /** The sum over channel ch of the block-wise value body gives (blocks of a and b read alike; b may be null). */
    private static double reduceChannel(Layout l, int ch, Object a, int aBase, Object b, int bBase, double[] bufA,
                                        double[] bufB, BlockSum body) {
        double total = 0;
        for (int col0 = 0; col0 < l.s; col0 += l.cols()) {
            int cols = Math.min(l.cols(), l.s - col0);
            for (int n0 = 0; n0 < l.n; n0 += l.rows()) {
                int rows = Math.min(l.rows(), l.n - n0);
                readBlock(a, aBase, l, ch, n0, rows, col0, cols, bufA);
                if (b != null) {
                    readBlock(b, bBase, l, ch, n0, rows, col0, cols, bufB);
                }
                total += body.apply(bufA, bufB, rows * cols);
            }
        }
        return total;
    }

    private interface BlockSum {
        double apply(double[] a, double[] b, int len);
    }

    /** x (N, C, *) -> {mean (C), biased variance (C)}: two passes per channel, the second around the mean. */
    static NdArray[] stats(NdArray x) {
        NdArray xc = CpuElementwise.asContiguous(x);
        Layout l = Layout.of(x.shape());
        double[] mean = new double[l.c];
        double[] var = new double[l.c];
        Object src = DoubleBlocks.data(xc);
        int base = xc.storageOffset();
        double count = l.count();
        Parallel.forRange(l.c, l.channelGrain(), (c0, c1) -> {
            double[] buf = TaskScratch.get().row(0, BLOCK); // a layer norm's thousands of rows: no array per piece
            for (int ch = c0; ch < c1; ch++) {
                double m;
                if (src instanceof float[] f) {
                    int off = base + ch * l.s;
                    if (VECTOR) {
                        m = BatchNormF32Vector.sum(f, off, l.c * l.s, l.n, l.s) / count;
                        var[ch] = BatchNormF32Vector.squaredDeviations(f, off, l.c * l.s, l.n, l.s, m) / count;
                    } else {
                        m = BatchNormF32Loops.sum(f, off, l.c * l.s, l.n, l.s) / count;
                        var[ch] = BatchNormF32Loops.squaredDeviations(f, off, l.c * l.s, l.n, l.s, m) / count;
                    }
                } else {
                    m = reduceChannel(l, ch, src, base, null, 0, buf, null, (a, b, len) -> PartialSums.sum(a, len)) / count;
                    double mc = m;
                    var[ch] = reduceChannel(l, ch, src, base, null, 0, buf, null,
                            (a, b, len) -> PartialSums.dotCentered(a, mc, a, len)) / count;
                }
                mean[ch] = m;
            }
        });
        return new NdArray[] {perChannel(mean, x), perChannel(var, x)};
    }

    /** gy, x (N, C, *), mean (C) -> {sum(gy) (C), sum(gy (x - mean)) (C)}, one pass per channel over both. */
    static NdArray[] backwardReduce(NdArray gy, NdArray x, NdArray mean) {
        NdArray gc = CpuElementwise.asContiguous(gy);
        NdArray xc = CpuElementwise.asContiguous(x);
        Layout l = Layout.of(x.shape());
        double[] m = DoubleBlocks.vector(mean);
        double[] sumDy = new double[l.c];
        double[] sumDyXmu = new double[l.c];
        Object g = DoubleBlocks.data(gc);
        Object xs = DoubleBlocks.data(xc);
        Parallel.forRange(l.c, l.channelGrain(), (c0, c1) -> {
            TaskScratch scratch = TaskScratch.get();
            double[] bufG = scratch.row(0, BLOCK);
            double[] bufX = scratch.row(1, BLOCK);
            double[] pair = new double[2];
            for (int ch = c0; ch < c1; ch++) {
                double mc = m[ch];
                if (xs instanceof float[] xf) {
                    int go = gc.storageOffset() + ch * l.s;
                    int xo = xc.storageOffset() + ch * l.s;
                    if (VECTOR) {
                        BatchNormF32Vector.sums((float[]) g, go, xf, xo, l.c * l.s, l.n, l.s, mc, pair, 0);
                    } else {
                        BatchNormF32Loops.sums((float[]) g, go, xf, xo, l.c * l.s, l.n, l.s, mc, pair, 0);
                    }
                    sumDy[ch] = pair[0];
                    sumDyXmu[ch] = pair[1];
                    continue;
                }
                double[] dy = {0};
                sumDyXmu[ch] = reduceChannel(l, ch, xs, xc.storageOffset(), g, gc.storageOffset(), bufX, bufG, (a, b, len) -> {
                    dy[0] += PartialSums.sum(b, len);
                    return PartialSums.dotCentered(a, mc, b, len);
                });
                sumDy[ch] = dy[0];
            }
        });
        return new NdArray[] {perChannel(sumDy, x), perChannel(sumDyXmu, x)};
    }

    /** y = (x - mean) invstd weight + bias per channel: y = x k + (bias - mean k) with k = invstd weight, in double. */
    static NdArray elemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        double[] m = DoubleBlocks.vector(mean);
        double[] k = DoubleBlocks.vector(invstd);
        double[] w = DoubleBlocks.vector(weight);
        double[] b = DoubleBlocks.vector(bias);
        double[] scale = new double[m.length];
        for (int c = 0; c < m.length; c++) {
            scale[c] = k[c] * w[c];
        }
        return perRun(x, null, (in, unused, c, len) -> {
            double mc = m[c];
            double sc = scale[c];
            double bc = b[c];
            for (int i = 0; i < len; i++) {
                in[i] = (in[i] - mc) * sc + bc;
            }
        }, (in, io, unused, uo, out, o, c, len) -> BatchNormF32Loops.affine(in, io, out, o, len, (float) m[c], (float) scale[c],
                (float) b[c]));
    }

    /**
     * gx = (gy - sumDy / count - (x - mean) invstd^2 sumDyXmu / count) invstd weight per channel, or
     * gy invstd weight when the sums are null.
     */
    static NdArray backwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                NdArray sumDyXmu, long count) {
        double[] m = DoubleBlocks.vector(mean);
        double[] k = DoubleBlocks.vector(invstd);
        double[] w = DoubleBlocks.vector(weight);
        double[] meanDy = new double[m.length];
        double[] proj = new double[m.length]; // invstd^2 sumDyXmu / count
        double[] scale = new double[m.length];
        double[] sd = sumDy == null ? null : DoubleBlocks.vector(sumDy);
        double[] sdx = sumDyXmu == null ? null : DoubleBlocks.vector(sumDyXmu);
        for (int c = 0; c < m.length; c++) {
            scale[c] = k[c] * w[c];
            if (sd != null) {
                meanDy[c] = sd[c] / count;
                proj[c] = k[c] * k[c] * sdx[c] / count;
            }
        }
        if (sd == null) {
            return perRun(gy, null, (g, unused, c, len) -> {
                double sc = scale[c];
                for (int i = 0; i < len; i++) {
                    g[i] *= sc;
                }
            }, (g, go, unused, uo, out, o, c, len) -> BatchNormF32Loops.scale(g, go, out, o, len, (float) scale[c]));
        }
        return perRun(gy, x, (g, xs, c, len) -> {
            double mc = m[c];
            double md = meanDy[c];
            double pc = proj[c];
            double sc = scale[c];
            for (int i = 0; i < len; i++) {
                g[i] = (g[i] - md - (xs[i] - mc) * pc) * sc;
            }
        }, (g, go, xs, xo, out, o, c, len) -> BatchNormF32Loops.inputGrad(g, go, xs, xo, out, o, len, (float) meanDy[c],
                (float) m[c], (float) proj[c], (float) scale[c]));
    }

    private interface RunBody {
        /** Rewrites a[0, len) (a piece of a run of channel c; b the same piece of the second input or null). */
        void apply(double[] a, double[] b, int c, int len);
    }

    private interface F32RunBody {
        /** Writes out[o, o + len) from a run of channel c at a[ao..] (and b[bo..], b null when absent). */
        void apply(float[] a, int ao, float[] b, int bo, float[] out, int o, int c, int len);
    }

    /**
     * A new tensor of a's shape and dtype, run by run: float32 through f32 on the arrays, else each piece of
     * each (n, c) run of a (and b) read into double scratch, rewritten by body, written back.
     */
    private static NdArray perRun(NdArray a, NdArray b, RunBody body, F32RunBody f32) {
        NdArray ac = CpuElementwise.asContiguous(a);
        NdArray bc = b == null ? null : CpuElementwise.asContiguous(b);
        Layout l = Layout.of(a.shape());
        NdArray result = CpuMap.emptyArray(a.shape(), a.dtype()); // every run is written
        Object src = DoubleBlocks.data(ac);
        Object src2 = bc == null ? null : DoubleBlocks.data(bc);
        Object dst = DoubleBlocks.data(result);
        if (dst instanceof float[] out) {
            float[] fa = (float[]) src;
            float[] fb = (float[]) src2;
            int ao = ac.storageOffset();
            int bo = bc == null ? 0 : bc.storageOffset();
            Parallel.forRange(l.n * l.c, l.runGrain(), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    f32.apply(fa, ao + r * l.s, fb, bo + r * l.s, out, r * l.s, r % l.c, l.s);
                }
            });
            return result;
        }
        int pieces = l.pieces();
        Parallel.forRange(l.n * l.c * pieces, l.runGrain(), (t0, t1) -> {
            double[] bufA = new double[l.cols()];
            double[] bufB = bc == null ? null : new double[l.cols()];
            for (int t = t0; t < t1; t++) {
                int run = t / pieces;
                int col0 = (t % pieces) * l.cols();
                int len = Math.min(l.cols(), l.s - col0);
                int off = run * l.s + col0;
                DoubleBlocks.read(src, ac.storageOffset() + off, 1, 0, len, 1, bufA, 0);
                if (bc != null) {
                    DoubleBlocks.read(src2, bc.storageOffset() + off, 1, 0, len, 1, bufB, 0);
                }
                body.apply(bufA, bufB, run % l.c, len);
                DoubleBlocks.write(bufA, 0, 1, len, dst, off, 0);
            }
        });
        return result;
    }

    /** values as a new (C) tensor of like's dtype. */
    private static NdArray perChannel(double[] values, NdArray like) {
        NdArray t = CpuMap.newArray(new int[] {values.length}, like.dtype());
        DoubleBlocks.write(values, 0, 1, values.length, DoubleBlocks.data(t), 0, 0);
        return t;
    }
}
