package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Pool2dParams;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * max/avg pool2d forward and backward over (N, C, H, W), following PyTorch's CPU kernels window for
 * window. Work is split over the N * C planes; each plane is read once into double scratch (so strided
 * views need no copy) and computed in double for both float dtypes.
 */
final class CpuPool2d {
    private CpuPool2d() {
    }

    /** Planes per parallel piece: enough elements to be worth a task. */
    private static int grain(int planeSize) {
        return Math.max(1, 16384 / Math.max(1, planeSize));
    }

    /** Storage offsets of plane (n, c) of a 4-D view, in n * C + c order. */
    private static int planeOffset(NdArray x, int plane) {
        int c = x.size(1);
        return x.storageOffset() + (plane / c) * x.stride(0) + (plane % c) * x.stride(1);
    }

    /** x (N, C, H, W) -> {y (N, C, OH, OW), indices int64 (N, C, OH, OW) = h * W + w of each maximum}. */
    static NdArray[] maxForward(NdArray x, Pool2dParams p) {
        int n = x.size(0);
        int ch = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int oh = p.outH(h);
        int ow = p.outW(w);
        NdArray y = CpuMap.newArray(new int[] {n, ch, oh, ow}, x.dtype());
        NdArray idx = CpuMap.newArray(new int[] {n, ch, oh, ow}, DType.INT64);
        Object src = DoubleBlocks.data(x);
        Object dst = DoubleBlocks.data(y);
        long[] ind = (long[]) DoubleBlocks.data(idx);
        int sh = x.stride(2);
        int sw = x.stride(3);
        if (src instanceof float[] xf && halving(p, h, w)) {
            float[] yf = (float[]) dst;
            Parallel.forRange(n * ch, grain(h * w), (p0, p1) -> {
                for (int plane = p0; plane < p1; plane++) {
                    max2x2(xf, planeOffset(x, plane), sh, sw, yf, ind, plane * oh * ow, oh, ow, w);
                }
            });
            return new NdArray[] {y, idx};
        }
        Parallel.forRange(n * ch, grain(h * w), (p0, p1) -> {
            double[] in = new double[h * w]; // (H, W) of one plane
            double[] out = new double[oh * ow]; // (OH, OW)
            for (int plane = p0; plane < p1; plane++) {
                DoubleBlocks.read(src, planeOffset(x, plane), h, sh, w, sw, in, 0);
                maxPlane(in, h, w, p, out, ind, plane * oh * ow, oh, ow);
                DoubleBlocks.write(out, 0, 1, oh * ow, dst, plane * oh * ow, 0);
            }
        });
        return new NdArray[] {y, idx};
    }

    /** A 2x2 window, stride 2, no padding or dilation, every window inside the input. */
    private static boolean halving(Pool2dParams p, int h, int w) {
        return p.kernelH() == 2 && p.kernelW() == 2 && p.strideH() == 2 && p.strideW() == 2 && p.padH() == 0
                && p.padW() == 0 && p.dilationH() == 1 && p.dilationW() == 1 && 2 * p.outH(h) <= h && 2 * p.outW(w) <= w;
    }

    /**
     * {@link #maxPlane} for {@link #halving} windows of a float32 plane read in place at x[off] (row
     * stride sh, column stride sw, w columns), with the same winners: the window's two rows are reduced
     * side by side, then the bottom row's winner replaces the top's when larger or NaN, which picks the
     * tap the left-to-right, top-to-bottom scan of maxPlane picks (ties keep the earlier tap, the last NaN
     * wins). The choices are 0/1 ints that pick offsets: C2 compiles them without branches (activations'
     * comparisons are coin flips), and the two independent halves halve the chain of dependent steps.
     */
    private static void max2x2(float[] x, int off, int sh, int sw, float[] y, long[] ind, int outOff, int oh, int ow,
                               int w) {
        for (int i = 0; i < oh; i++) {
            int top = off + 2 * i * sh;
            int out = outOff + i * ow;
            for (int j = 0; j < ow; j++) {
                int at = top + 2 * j * sw;
                float a = x[at];
                float b = x[at + sw];
                float c = x[at + sh];
                float d = x[at + sh + sw];
                int right = b > a | b != b ? 1 : 0;      // the top row's winner: a (0) or b (1)
                int rightBelow = d > c | d != d ? 1 : 0;  // the bottom row's
                // Math.max compares as the scan does (NaN wins; -0 and +0 tie either way)
                float topMax = Math.max(a, b);
                float bottomMax = Math.max(c, d);
                int below = bottomMax > topMax | bottomMax != bottomMax ? 1 : 0;
                int col = right + below * (rightBelow - right);
                y[out + j] = x[at + below * sh + col * sw];
                ind[out + j] = 2 * i * w + 2 * j + below * w + col;
            }
        }
    }

    private static void maxPlane(double[] in, int h, int w, Pool2dParams p, double[] out, long[] ind, int indOff,
                                 int oh, int ow) {
        int dh = p.dilationH();
        int dw = p.dilationW();
        for (int i = 0; i < oh; i++) {
            int h0 = i * p.strideH() - p.padH();
            int h1 = Math.min(h0 + (p.kernelH() - 1) * dh + 1, h);
            while (h0 < 0) {
                h0 += dh; // first dilated tap inside the input
            }
            for (int j = 0; j < ow; j++) {
                int w0 = j * p.strideW() - p.padW();
                int w1 = Math.min(w0 + (p.kernelW() - 1) * dw + 1, w);
                while (w0 < 0) {
                    w0 += dw;
                }
                // As PyTorch: padding is -inf, so an all -inf window reports its first in-input tap;
                // a NaN always wins (and a later NaN replaces an earlier one).
                double best = Double.NEGATIVE_INFINITY;
                int bestAt = h0 * w + w0;
                for (int r = h0; r < h1; r += dh) {
                    for (int c = w0; c < w1; c += dw) {
                        double v = in[r * w + c];
                        if (v > best || Double.isNaN(v)) {
                            best = v;
                            bestAt = r * w + c;
                        }
                    }
                }
                out[i * ow + j] = best;
                ind[indOff + i * ow + j] = bestAt;
            }
        }
    }

    /** gy (N, C, OH, OW), indices (N, C, OH, OW) -> gx (N, C, H, W): gx[idx] += gy per plane. */
    /**
     * gy, indices (N, C, OH, OW) -> gx of inputShape: each gy added at its index, outputs in row-major
     * order, so each input sums its windows in (i, j) order as the cuda kernel's gather does.
     */
    static NdArray maxBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        int planes = inputShape[0] * inputShape[1];
        int h = inputShape[2];
        int w = inputShape[3];
        int oh = gy.size(2);
        int ow = gy.size(3);
        NdArray gx = CpuMap.newArray(inputShape, gy.dtype());
        Object g = DoubleBlocks.data(gy);
        Object dst = DoubleBlocks.data(gx);
        NdArray ic = CpuElementwise.asContiguous(indices);
        long[] ind = (long[]) DoubleBlocks.data(ic);
        int indBase = ic.storageOffset();
        if (g instanceof float[] gf && halving(p, h, w)) {
            float[] gxf = (float[]) dst;
            Parallel.forRange(planes, grain(h * w), (p0, p1) -> {
                for (int plane = p0; plane < p1; plane++) {
                    int io = indBase + plane * oh * ow;
                    int bad = max2x2Backward(gf, planeOffset(gy, plane), gy.stride(2), gy.stride(3), ind, io, gxf, plane * h * w,
                            oh, ow, w);
                    if (bad >= 0) {
                        throw outsideWindow(ind[io + bad], plane, inputShape, bad / ow, bad % ow);
                    }
                }
            });
            return gx;
        }
        Parallel.forRange(planes, grain(h * w), (p0, p1) -> {
            double[] go = new double[oh * ow]; // (OH, OW)
            double[] acc = new double[h * w]; // (H, W)
            for (int plane = p0; plane < p1; plane++) {
                DoubleBlocks.read(g, planeOffset(gy, plane), oh, gy.stride(2), ow, gy.stride(3), go, 0);
                Arrays.fill(acc, 0.0);
                int io = indBase + plane * oh * ow;
                for (int o = 0; o < oh * ow; o++) {
                    long at = ind[io + o];
                    int i = o / ow;
                    int j = o % ow;
                    if (at < 0 || at >= (long) h * w || !isTap((int) (at / w), i * p.strideH() - p.padH(), p.kernelH(), p.dilationH())
                            || !isTap((int) (at % w), j * p.strideW() - p.padW(), p.kernelW(), p.dilationW())) {
                        throw outsideWindow(at, plane, inputShape, i, j);
                    }
                    acc[(int) at] += go[o];
                }
                DoubleBlocks.write(acc, 0, 1, h * w, dst, plane * h * w, 0);
            }
        });
        return gx;
    }

    /**
     * {@link #maxBackward} for {@link #halving} windows of float32: every input position is in one window,
     * so each gradient is placed, not summed (0 + g, as the summing path gives +0 for a -0 gradient).
     * An index is checked by its offset from its window's corner, without a division. Returns -1, or the
     * first output position whose index is outside its window.
     */
    private static int max2x2Backward(float[] g, int go, int gsh, int gsw, long[] ind, int io, float[] gx, int xo, int oh,
                                      int ow, int w) {
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                long at = ind[io + i * ow + j];
                long tap = at - (2L * i * w + 2L * j);
                if (tap != 0 && tap != 1 && tap != w && tap != w + 1) {
                    return i * ow + j;
                }
                gx[xo + (int) at] = 0f + g[go + i * gsh + j * gsw];
            }
        }
        return -1;
    }

    private static IndexOutOfBoundsException outsideWindow(long at, int plane, int[] inputShape, int i, int j) {
        return new IndexOutOfBoundsException("max_pool2d_backward: index " + at + " of output (" + plane / inputShape[1] + ", "
                + plane % inputShape[1] + ", " + i + ", " + j + ") is not in that output's pooling window of an input plane of "
                + inputShape[2] + "x" + inputShape[3]);
    }

    /** True when input position r is a tap s + a * dilation (0 &lt;= a &lt; kernel) of the window starting at s. */
    private static boolean isTap(int r, int s, int kernel, int dilation) {
        int d = r - s;
        return d >= 0 && d % dilation == 0 && d / dilation < kernel;
    }

    /** x (N, C, H, W) -> y (N, C, OH, OW), the mean of each window (no dilation). */
    static NdArray avgForward(NdArray x, Pool2dParams p) {
        int n = x.size(0);
        int ch = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int oh = p.outH(h);
        int ow = p.outW(w);
        AvgAxis rows = AvgAxis.of(oh, h, p.kernelH(), p.strideH(), p.padH());
        AvgAxis cols = AvgAxis.of(ow, w, p.kernelW(), p.strideW(), p.padW());
        NdArray y = CpuMap.newArray(new int[] {n, ch, oh, ow}, x.dtype());
        Object src = DoubleBlocks.data(x);
        Object dst = DoubleBlocks.data(y);
        if (src instanceof float[] xf && halving(p, h, w) && p.divisorOverride() == 0) {
            float[] yf = (float[]) dst;
            Parallel.forRange(n * ch, grain(h * w), (p0, p1) -> {
                for (int plane = p0; plane < p1; plane++) {
                    avg2x2(xf, planeOffset(x, plane), x.stride(2), x.stride(3), yf, plane * oh * ow, oh, ow);
                }
            });
            return y;
        }
        Parallel.forRange(n * ch, grain(h * w), (p0, p1) -> {
            double[] in = new double[h * w]; // (H, W)
            double[] out = new double[oh * ow]; // (OH, OW)
            for (int plane = p0; plane < p1; plane++) {
                DoubleBlocks.read(src, planeOffset(x, plane), h, x.stride(2), w, x.stride(3), in, 0);
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = 0;
                        for (int r = rows.start[i]; r < rows.end[i]; r++) {
                            for (int c = cols.start[j]; c < cols.end[j]; c++) {
                                s += in[r * w + c];
                            }
                        }
                        out[i * ow + j] = s / divisor(rows, i, cols, j, p);
                    }
                }
                DoubleBlocks.write(out, 0, 1, oh * ow, dst, plane * oh * ow, 0);
            }
        });
        return y;
    }

    /**
     * {@link #avgForward} for {@link #halving} windows of a float32 plane read in place at x[off] (row stride
     * sh, column stride sw): the same sum, in the same order and in double from 0, divided by 4.
     */
    private static void avg2x2(float[] x, int off, int sh, int sw, float[] y, int yo, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int top = off + 2 * i * sh;
            int bottom = top + sh;
            for (int j = 0; j < ow; j++) {
                int c = 2 * j * sw;
                double s = 0.0 + x[top + c];
                s += x[top + c + sw];
                s += x[bottom + c];
                s += x[bottom + c + sw];
                y[yo + i * ow + j] = (float) (s / 4);
            }
        }
    }

    /** gy (N, C, OH, OW) -> gx (N, C, H, W): each window spreads gy / divisor over its inputs. */
    static NdArray avgBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        int h = inputShape[2];
        int w = inputShape[3];
        int oh = gy.size(2);
        int ow = gy.size(3);
        AvgAxis rows = AvgAxis.of(oh, h, p.kernelH(), p.strideH(), p.padH());
        AvgAxis cols = AvgAxis.of(ow, w, p.kernelW(), p.strideW(), p.padW());
        NdArray gx = CpuMap.newArray(inputShape, gy.dtype());
        Object g = DoubleBlocks.data(gy);
        Object dst = DoubleBlocks.data(gx);
        Parallel.forRange(inputShape[0] * inputShape[1], grain(h * w), (p0, p1) -> {
            double[] go = new double[oh * ow]; // (OH, OW)
            double[] acc = new double[h * w]; // (H, W)
            for (int plane = p0; plane < p1; plane++) {
                DoubleBlocks.read(g, planeOffset(gy, plane), oh, gy.stride(2), ow, gy.stride(3), go, 0);
                Arrays.fill(acc, 0.0);
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double share = go[i * ow + j] / divisor(rows, i, cols, j, p);
                        for (int r = rows.start[i]; r < rows.end[i]; r++) {
                            for (int c = cols.start[j]; c < cols.end[j]; c++) {
                                acc[r * w + c] += share;
                            }
                        }
                    }
                }
                DoubleBlocks.write(acc, 0, 1, h * w, dst, plane * h * w, 0);
            }
        });
        return gx;
    }

    /**
     * As PyTorch: the divisor override if set; with count_include_pad the window clipped to input +
     * padding (a ceil_mode window hanging past the padding counts only up to it), else the number of
     * inputs it covers.
     */
    private static int divisor(AvgAxis rows, int i, AvgAxis cols, int j, Pool2dParams p) {
        if (p.divisorOverride() != 0) {
            return p.divisorOverride();
        }
        return p.countIncludePad() ? rows.padded[i] * cols.padded[j]
                : (rows.end[i] - rows.start[i]) * (cols.end[j] - cols.start[j]);
    }

    /**
     * Average-pool windows along one axis: input range [start, end) of output position o, and the
     * window's length clipped to input + padding. The ceil_mode rule in {@link Pool2dParams} keeps
     * every window's start inside the input or the left padding, so no window is empty.
     */
    private record AvgAxis(int[] start, int[] end, int[] padded) {
        static AvgAxis of(int out, int in, int kernel, int stride, int pad) {
            int[] start = new int[out];
            int[] end = new int[out];
            int[] padded = new int[out];
            for (int o = 0; o < out; o++) {
                int s = o * stride - pad;
                int e = Math.min(s + kernel, in + pad);
                padded[o] = e - s;
                start[o] = Math.max(s, 0);
                end[o] = Math.min(e, in);
            }
            return new AvgAxis(start, end, padded);
        }
    }
}
