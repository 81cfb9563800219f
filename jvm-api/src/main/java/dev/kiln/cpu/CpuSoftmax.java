package dev.kiln.cpu;

import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * softmax / log-softmax forward and backward along any dim. The (contiguous) tensor is seen as
 * (outer, len, inner) with len the softmax dim; a task takes a slab (len, bw) of bw neighbouring inner
 * positions, so every pass walks memory in rows of bw instead of striding by inner per element.
 * Slabs are computed in double (max-subtracted) and rounded once on the way out.
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

        int grain() {
            return Math.max(1, 32768 / Math.max(1, len * bw));
        }
    }

    /** x (any shape), dim -> softmax or log-softmax of x along dim, same shape. */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        Tensor xc = CpuElementwise.asContiguous(x);
        Layout l = Layout.of(x.shape(), dim);
        Tensor y = CpuMap.newTensor(x.shape(), x.dtype());
        Object src = DoubleBlocks.data(xc);
        Object dst = DoubleBlocks.data(y);
        int base = xc.storageOffset();
        Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
            double[] slab = new double[l.len * l.bw]; // (len, bw)
            double[] max = new double[l.bw];
            double[] sum = new double[l.bw];
            for (int t = t0; t < t1; t++) {
                int w = l.width(t);
                int off = l.offset(t);
                DoubleBlocks.read(src, base + off, l.len, l.inner, w, 1, slab, 0);
                slabSoftmax(slab, l.len, w, max, sum, log);
                DoubleBlocks.write(slab, 0, l.len, w, dst, off, l.inner);
            }
        });
        return y;
    }

    /** slab (len, w) in place; a row (column here) of -inf or with a NaN gives NaN, as PyTorch. */
    private static void slabSoftmax(double[] slab, int len, int w, double[] max, double[] sum, boolean log) {
        if (w == 1) {
            rowSoftmax(slab, len, log);
            return;
        }
        Arrays.fill(max, 0, w, Double.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, w, 0.0);
        for (int r = 0; r < len; r++) {
            for (int c = 0; c < w; c++) {
                max[c] = Math.max(max[c], slab[r * w + c]); // Math.max keeps NaN
            }
        }
        for (int r = 0; r < len; r++) {
            for (int c = 0; c < w; c++) {
                double e = Math.exp(slab[r * w + c] - max[c]);
                sum[c] += e;
                if (!log) {
                    slab[r * w + c] = e;
                }
            }
        }
        if (log) {
            for (int c = 0; c < w; c++) {
                max[c] += Math.log(sum[c]); // now the log-sum-exp
            }
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    slab[r * w + c] -= max[c];
                }
            }
        } else {
            for (int r = 0; r < len; r++) {
                for (int c = 0; c < w; c++) {
                    slab[r * w + c] /= sum[c];
                }
            }
        }
    }

    /** The softmax dim is the last one: one contiguous row, with loops the JIT can unroll. */
    private static void rowSoftmax(double[] row, int len, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < len; r++) {
            max = Math.max(max, row[r]);
        }
        double sum = 0;
        for (int r = 0; r < len; r++) {
            double e = Math.exp(row[r] - max);
            sum += e;
            if (!log) {
                row[r] = e;
            }
        }
        if (log) {
            double lse = max + Math.log(sum);
            for (int r = 0; r < len; r++) {
                row[r] -= lse;
            }
        } else {
            for (int r = 0; r < len; r++) {
                row[r] /= sum;
            }
        }
    }

    /** gy, y (same shape), dim -> gx: y * (gy - sum(gy * y)) for softmax, gy - exp(y) * sum(gy) for log-softmax. */
    static Tensor backward(Tensor gy, Tensor y, int dim, boolean log) {
        Tensor gc = CpuElementwise.asContiguous(gy);
        Tensor yc = CpuElementwise.asContiguous(y);
        Layout l = Layout.of(y.shape(), dim);
        Tensor gx = CpuMap.newTensor(y.shape(), y.dtype());
        Object gsrc = DoubleBlocks.data(gc);
        Object ysrc = DoubleBlocks.data(yc);
        Object dst = DoubleBlocks.data(gx);
        Parallel.forRange(l.tasks(), l.grain(), (t0, t1) -> {
            double[] g = new double[l.len * l.bw]; // (len, bw): grad in, grad out
            double[] ys = new double[l.len * l.bw]; // (len, bw)
            double[] dot = new double[l.bw];
            for (int t = t0; t < t1; t++) {
                int w = l.width(t);
                int off = l.offset(t);
                DoubleBlocks.read(gsrc, gc.storageOffset() + off, l.len, l.inner, w, 1, g, 0);
                DoubleBlocks.read(ysrc, yc.storageOffset() + off, l.len, l.inner, w, 1, ys, 0);
                slabBackward(g, ys, l.len, w, dot, log);
                DoubleBlocks.write(g, 0, l.len, w, dst, off, l.inner);
            }
        });
        return gx;
    }

    /** g (len, w) in place from ys (len, w); dot is scratch of at least w. */
    private static void slabBackward(double[] g, double[] ys, int len, int w, double[] dot, boolean log) {
        if (w == 1) {
            rowBackward(g, ys, len, log);
            return;
        }
        Arrays.fill(dot, 0, w, 0.0);
        for (int r = 0; r < len; r++) {
            for (int c = 0; c < w; c++) {
                dot[c] += log ? g[r * w + c] : g[r * w + c] * ys[r * w + c];
            }
        }
        for (int r = 0; r < len; r++) {
            for (int c = 0; c < w; c++) {
                int i = r * w + c;
                g[i] = log ? g[i] - Math.exp(ys[i]) * dot[c] : ys[i] * (g[i] - dot[c]);
            }
        }
    }

    /** The softmax dim is the last one: one contiguous row. */
    private static void rowBackward(double[] g, double[] ys, int len, boolean log) {
        double dot = 0;
        for (int r = 0; r < len; r++) {
            dot += log ? g[r] : g[r] * ys[r];
        }
        for (int r = 0; r < len; r++) {
            g[r] = log ? g[r] - Math.exp(ys[r]) * dot : ys[r] * (g[r] - dot);
        }
    }
}
