package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * softmax / log-softmax forward and backward along any dim. The (contiguous) tensor is seen as
 * (outer, len, inner) with len the softmax dim; a task takes a slab (len, bw) of bw neighbouring inner
 * positions, so every pass walks memory in rows of bw instead of striding by inner per element.
 * Slabs are computed in double (max-subtracted) and rounded once on the way out; for float32 the
 * exponentials come from {@link NonPositiveExp} (vectorised), for float64 from Math.exp. float32 along the
 * last dim runs on the Vector API where it is in use ({@link SoftmaxF32Vector}, in float32).
 */
final class CpuSoftmax {
    /** Doubles per slab buffer: a slab stays in L2 while its passes run. */
    private static final int SLAB = 8192;

    private CpuSoftmax() {
    }

    /** The (outer, len, inner) geometry of a softmax along dim, and how inner is cut into slabs of width bw. */
    private record Layout(int outer, int len, int inner, int bw, int blocks) {
        static Layout of(int[] shape, int dim) {
            int outer = 1;
            int inner = 1;
            for (int d = 0; d < dim; d++) {
                outer *= shape[d];
            }
            for (int d = dim + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            int len = shape[dim];
            int bw = Math.max(1, Math.min(inner, SLAB / Math.max(len, 1)));
            return new Layout(outer, len, inner, bw, (inner + bw - 1) / bw);
        }

        int tasks() {
            return len == 0 ? 0 : outer * blocks;
        }

        /** Storage offset of task t's slab in a contiguous tensor, and its width. */
        int offset(int t) {
            return (t / blocks) * len * inner + (t % blocks) * bw;
        }

        int width(int t) {
            return Math.min(bw, inner - (t % blocks) * bw);
        }

        /** Task t's slab (len, w) of src (from base) into dst; along the last dim it is one run, read as one row. */
        void read(Object src, int base, int t, double[] dst) {
            if (inner == 1) {
                DoubleBlocks.read(src, base + offset(t), 1, len, len, 1, dst, 0);
            } else {
                DoubleBlocks.read(src, base + offset(t), len, inner, width(t), 1, dst, 0);
            }
        }

        /** The slab back into task t's place in the contiguous dst. */
        void write(double[] src, int t, Object dst) {
            if (inner == 1) {
                DoubleBlocks.write(src, 0, 1, len, dst, offset(t), len);
            } else {
                DoubleBlocks.write(src, 0, len, width(t), dst, offset(t), inner);
            }
        }

        int grain() {
            return Math.max(1, 32768 / Math.max(1, len * bw));
        }
    }

    /** x (any shape), dim -> softmax or log-softmax of x along dim, same shape. */
    static NdArray softmax(NdArray x, int dim, boolean log) {
        NdArray xc = CpuElementwise.asContiguous(x);
        Layout l = Layout.of(x.shape(), dim);
        NdArray y = CpuMap.emptyArray(x.shape(), x.dtype()); // every slab is written
        Object src = DoubleBlocks.data(xc);
        Object dst = DoubleBlocks.data(y);
        int base = xc.storageOffset();
        boolean fast = x.dtype() == DType.FLOAT32;
        if (fast && l.inner == 1 && CpuGemm.usesVectorApi()) { // rows of float32 on the Vector API
            Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    SoftmaxF32Vector.forward((float[]) src, base + l.offset(t), (float[]) dst, l.offset(t), l.len, log);
                }
            });
            return y;
        }
        Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
            double[] slab = new double[l.len * l.bw]; // (len, bw)
            double[] exps = new double[l.len * l.bw]; // (len, bw)
            double[] max = new double[l.bw];
            double[] sum = new double[l.bw];
            for (int t = t0; t < t1; t++) {
                int w = l.width(t);
                l.read(src, base, t, slab);
                slabSoftmax(slab, exps, l.len, w, max, sum, log, fast);
                l.write(slab, t, dst);
            }
        });
        return y;
    }

    /**
     * slab (len, w) in place, exps (len, w) log-softmax's scratch; a column of -inf or with a NaN gives NaN, as PyTorch.
     * Each column: subtract its max, exponentiate, sum; then divide by the sum, or subtract its log.
     */
    private static void slabSoftmax(double[] slab, double[] exps, int len, int w, double[] max, double[] sum, boolean log,
                                    boolean fast) {
        int n = len * w;
        Arrays.fill(max, 0, w, Double.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, w, 0.0);
        if (w == 1) {
            max[0] = max(slab, n);
        } else {
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    max[c] = Math.max(max[c], slab[r * w + c]); // Math.max keeps NaN
                }
            }
        }
        if (w == 1) {
            subtract(slab, n, max[0]);
        } else {
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    slab[r * w + c] -= max[c];
                }
            }
        }
        double[] e = exps; // log-softmax keeps the shifted values; softmax exponentiates in place
        if (log) {
            System.arraycopy(slab, 0, exps, 0, n);
        } else {
            e = slab;
        }
        exp(e, n, fast);
        if (w == 1) {
            sum[0] = PartialSums.sum(e, n);
        } else {
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    sum[c] += e[r * w + c];
                }
            }
        }
        if (log) {
            for (int c = 0; c < w; c++) {
                sum[c] = Math.log(sum[c]);
            }
            if (w == 1) {
                subtract(slab, n, sum[0]);
                return;
            }
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    slab[r * w + c] -= sum[c];
                }
            }
        } else {
            for (int c = 0; c < w; c++) {
                sum[c] = 1 / sum[c];
            }
            if (w == 1) {
                scale(slab, n, sum[0]);
                return;
            }
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    slab[r * w + c] *= sum[c];
                }
            }
        }
    }

    private static void subtract(double[] a, int n, double v) {
        for (int i = 0; i < n; i++) {
            a[i] -= v;
        }
    }

    private static void scale(double[] a, int n, double v) {
        for (int i = 0; i < n; i++) {
            a[i] *= v;
        }
    }

    /** a[0, n) = e^a, all a &lt;= 0 (max-subtracted): vectorised for float32 results, Math.exp's accuracy for float64. */
    private static void exp(double[] a, int n, boolean fast) {
        if (fast) {
            NonPositiveExp.inPlace(a, 0, n);
        } else {
            for (int i = 0; i < n; i++) {
                a[i] = Math.exp(a[i]);
            }
        }
    }

    /** The largest of a[0, n), NaN if any is (C2 vectorises this reduction; split chains would stop it). */
    private static double max(double[] a, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, a[i]);
        }
        return m;
    }

    /** gy, y (same shape), dim -> gx: y * (gy - sum(gy * y)) for softmax, gy - exp(y) * sum(gy) for log-softmax. */
    static NdArray backward(NdArray gy, NdArray y, int dim, boolean log) {
        NdArray gc = CpuElementwise.asContiguous(gy);
        NdArray yc = CpuElementwise.asContiguous(y);
        Layout l = Layout.of(y.shape(), dim);
        NdArray gx = CpuMap.emptyArray(y.shape(), y.dtype());
        Object gsrc = DoubleBlocks.data(gc);
        Object ysrc = DoubleBlocks.data(yc);
        Object dst = DoubleBlocks.data(gx);
        boolean fast = y.dtype() == DType.FLOAT32;
        if (fast && l.inner == 1 && CpuGemm.usesVectorApi()) {
            Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    SoftmaxF32Vector.backward((float[]) gsrc, gc.storageOffset() + l.offset(t), (float[]) ysrc,
                            yc.storageOffset() + l.offset(t), (float[]) dst, l.offset(t), l.len, log);
                }
            });
            return gx;
        }
        Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
            double[] g = new double[l.len * l.bw]; // (len, bw): grad in, grad out
            double[] ys = new double[l.len * l.bw]; // (len, bw)
            double[] dot = new double[l.bw];
            for (int t = t0; t < t1; t++) {
                int w = l.width(t);
                l.read(gsrc, gc.storageOffset(), t, g);
                l.read(ysrc, yc.storageOffset(), t, ys);
                slabBackward(g, ys, l.len, w, dot, log, fast);
                l.write(g, t, dst);
            }
        });
        return gx;
    }

    /**
     * g (len, w) in place from ys (len, w); dot is scratch of at least w. Log-softmax's e^y (y &lt;= 0, log
     * probabilities) overwrites ys.
     */
    private static void slabBackward(double[] g, double[] ys, int len, int w, double[] dot, boolean log, boolean fast) {
        int n = len * w;
        Arrays.fill(dot, 0, w, 0.0);
        if (w == 1) {
            dot[0] = log ? PartialSums.sum(g, n) : PartialSums.dot(g, ys, n);
        } else {
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    dot[c] += log ? g[r * w + c] : g[r * w + c] * ys[r * w + c];
                }
            }
        }
        if (log) {
            exp(ys, n, fast);
        }
        if (w == 1) { // one flat loop per case: C2 vectorises those, not a nested loop of one column
            double d = dot[0];
            if (log) {
                for (int i = 0; i < n; i++) {
                    g[i] -= ys[i] * d;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    g[i] = ys[i] * (g[i] - d);
                }
            }
            return;
        }
        for (int r = 0; r < len; r++) {
            for (int c = 0; c < w; c++) {
                int i = r * w + c;
                g[i] = log ? g[i] - ys[i] * dot[c] : ys[i] * (g[i] - dot[c]);
            }
        }
    }
}
