package dev.kiln.cpu;

/**
 * im2col and its adjoint col2im for one group of one image: x (cg, h, w) &lt;-> col (cg * kh * kw,
 * oh * ow), col row (ci * kh + ki) * kw + kj holding x[ci][oh * sh - ph + ki * dh][ow * sw - pw + kj * dw]
 * (zero where that falls in the padding). Arrays are float[] or double[]. packRows writes blocks of
 * col straight into GEMM panels and col2imRowAdd takes GEMM rows of col, so large convolutions
 * never build col in forward or backward-input; packPatches writes blocks of col transposed (pixel
 * by pixel) into GEMM panels for the weight gradient.
 */
final class Im2col {
    private Im2col() {
    }

    /** col = im2col(x at xOff); every element of col is written. */
    static void im2col(Object x, int xOff, Object col, ConvGeometry g) {
        if (x instanceof float[] xf) {
            Im2colLoopsF32.im2col(xf, xOff, (float[]) col, g);
        } else {
            Im2colLoopsF64.im2col((double[]) x, xOff, (double[]) col, g);
        }
    }

    /** x at xOff += col2im(col) with col at colOff, the adjoint of {@link #im2col}. */
    static void col2imAdd(Object col, int colOff, Object x, int xOff, ConvGeometry g) {
        if (x instanceof float[] xf) {
            Im2colLoopsF32.col2imAdd((float[]) col, colOff, xf, xOff, g);
        } else {
            Im2colLoopsF64.col2imAdd((double[]) col, colOff, (double[]) x, xOff, g);
        }
    }

    /**
     * dst[q * width + j] = col[p + q][j0 + j] for q &lt; count, j &lt; nc; dst is zero on entry. Columns run
     * over the output pixels of consecutive images: image i's group starts at x[xOff + i * imageStride].
     * x and dst are both float[] or both double[].
     */
    static void packRows(Object x, int xOff, int imageStride, ConvGeometry g, int p, int count, int j0, int nc,
                         Object dst, int width) {
        var cp = g.p();
        int firstRow = j0 / g.ow(); // output row (over all images) of pixel j0
        for (int q = 0; q < count; q++) {
            int row = p + q;
            int kj = row % g.kw();
            int ki = (row / g.kw()) % g.kh();
            int ci = row / (g.kw() * g.kh());
            int colShift = kj * cp.dilationW() - cp.padW();
            int lo = Math.min(g.ow(), firstValid(colShift, cp.strideW()));
            int hi = endValid(colShift, cp.strideW(), g.w(), g.ow());
            int image = firstRow / g.oh();
            int oy = firstRow - image * g.oh();
            int ox0 = j0 - firstRow * g.ow();
            int channel = xOff + ci * g.inPlane() + colShift;
            // walk the pixels [j0, j0 + nc) one output row (of one image) at a time, without divisions
            for (int j = j0; j < j0 + nc; ) {
                int segment = Math.min(j0 + nc - j, g.ow() - ox0);
                int iy = oy * cp.strideH() - cp.padH() + ki * cp.dilationH();
                int from = Math.max(ox0, lo);
                int to = Math.min(ox0 + segment, hi);
                if (iy >= 0 && iy < g.h() && from < to) {
                    int src = channel + image * imageStride + iy * g.w();
                    // dst index of output column ox is out + ox
                    gather(x, src, cp.strideW(), dst, q * width + (j - j0) - ox0, from, to);
                }
                j += segment;
                ox0 = 0;
                if (++oy == g.oh()) {
                    oy = 0;
                    image++;
                }
            }
        }
    }

    /** dst[out + ox] = x[src + ox * stride] for ox in [from, to). */
    private static void gather(Object x, int src, int stride, Object dst, int out, int from, int to) {
        if (x instanceof float[] xf) {
            Im2colLoopsF32.gather(xf, src, stride, (float[]) dst, out, from, to);
        } else {
            Im2colLoopsF64.gather((double[]) x, src, stride, (double[]) dst, out, from, to);
        }
    }

    /**
     * Where each im2col row (tap) of a patch reads x: offset from the patch's top-left input position
     * (possibly in the padding), and its row and column shifts, for the weight gradient's packer.
     */
    record Taps(int[] offset, int[] dy, int[] dx, int maxDy, int maxDx) {
        static Taps of(ConvGeometry g) {
            var cp = g.p();
            int rows = g.colRows();
            int[] offset = new int[rows];
            int[] dy = new int[rows];
            int[] dx = new int[rows];
            for (int row = 0; row < rows; row++) {
                dx[row] = row % g.kw() * cp.dilationW();
                dy[row] = (row / g.kw()) % g.kh() * cp.dilationH();
                offset[row] = row / (g.kw() * g.kh()) * g.inPlane() + dy[row] * g.w() + dx[row];
            }
            return new Taps(offset, dy, dx, (g.kh() - 1) * cp.dilationH(), (g.kw() - 1) * cp.dilationW());
        }

        /** True when every tap of the patch at input position (iy, ix) lies inside the image. */
        boolean inside(int iy, int ix, ConvGeometry g) {
            return iy >= 0 && ix >= 0 && iy + maxDy < g.h() && ix + maxDx < g.w();
        }

        /** True when tap t of the patch at input position (iy, ix) lies inside the image. */
        boolean inside(int iy, int ix, int t, ConvGeometry g) {
            int y = iy + dy[t];
            int x = ix + dx[t];
            return y >= 0 && y < g.h() && x >= 0 && x < g.w();
        }
    }

    /**
     * dst[q * width + j] = col[j0 + j][p + q] (im2col transposed: pixel p + q's patch, taps [j0, j0 + nc))
     * for q &lt; count, j &lt; nc; dst is zero on entry, padding stays zero. Pixels run over consecutive
     * images: image i's group starts at x[xOff + i * imageStride]. x and dst are both float[] or both
     * double[].
     */
    static void packPatches(Object x, int xOff, int imageStride, ConvGeometry g, Taps taps, int p, int count, int j0,
                            int nc, Object dst, int width) {
        var cp = g.p();
        int image = p / g.outPlane();
        int oy = (p - image * g.outPlane()) / g.ow();
        int ox = p - image * g.outPlane() - oy * g.ow();
        for (int q = 0; q < count; q++) {
            int iy = oy * cp.strideH() - cp.padH();
            int ix = ox * cp.strideW() - cp.padW();
            // x index of tap t is src + offset[t]
            copyTaps(x, xOff + image * imageStride + iy * g.w() + ix, dst, q * width - j0, j0, j0 + nc, taps, iy, ix,
                    !taps.inside(iy, ix, g), g);
            // next pixel, without divisions
            if (++ox == g.ow()) {
                ox = 0;
                if (++oy == g.oh()) {
                    oy = 0;
                    image++;
                }
            }
        }
    }

    /** dst[out + t] = x[src + offset[t]] for the taps [t0, t1) (see {@link Im2colLoopsF32#copyTaps}). */
    private static void copyTaps(Object x, int src, Object dst, int out, int t0, int t1, Taps taps, int iy, int ix,
                                 boolean clip, ConvGeometry g) {
        if (x instanceof float[] xf) {
            Im2colLoopsF32.copyTaps(xf, src, (float[]) dst, out, t0, t1, taps, iy, ix, clip, g);
        } else {
            Im2colLoopsF64.copyTaps((double[]) x, src, (double[]) dst, out, t0, t1, taps, iy, ix, clip, g);
        }
    }

    /**
     * x at xOff += col2im of col row `row`, columns [j0, j0 + nc), taken from src[from ..]; src and x are
     * both float[] or both double[].
     */
    static void col2imRowAdd(Object src, int from, int row, int j0, int nc, Object x, int xOff, ConvGeometry g) {
        var cp = g.p();
        int kj = row % g.kw();
        int ki = (row / g.kw()) % g.kh();
        int ci = row / (g.kw() * g.kh());
        int colShift = kj * cp.dilationW() - cp.padW();
        int lo = Math.min(g.ow(), firstValid(colShift, cp.strideW()));
        int hi = endValid(colShift, cp.strideW(), g.w(), g.ow());
        int channel = xOff + ci * g.inPlane() + colShift;
        int oy = j0 / g.ow();
        int ox0 = j0 - oy * g.ow();
        // walk the pixels [j0, j0 + nc) one output row at a time, without divisions
        for (int j = j0; j < j0 + nc; oy++) {
            int segment = Math.min(j0 + nc - j, g.ow() - ox0);
            int iy = oy * cp.strideH() - cp.padH() + ki * cp.dilationH();
            if (iy >= 0 && iy < g.h()) {
                // src index of output column ox is in + ox
                scatterAdd(src, from + (j - j0) - ox0, x, channel + iy * g.w(), cp.strideW(), Math.max(ox0, lo),
                        Math.min(ox0 + segment, hi));
            }
            j += segment;
            ox0 = 0;
        }
    }

    /** x[dst + ox * stride] += src[in + ox] for ox in [from, to). */
    private static void scatterAdd(Object src, int in, Object x, int dst, int stride, int from, int to) {
        if (x instanceof float[] xf) {
            Im2colLoopsF32.scatterAdd((float[]) src, in, xf, dst, stride, from, to);
        } else {
            Im2colLoopsF64.scatterAdd((double[]) src, in, (double[]) x, dst, stride, from, to);
        }
    }

    /** First output column whose input column ow * sw + shift lies at or after 0. */
    static int firstValid(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** One past the last output column whose input column ow * sw + shift lies before size. */
    static int endValid(int shift, int stride, int size, int out) {
        int last = size - 1 - shift;
        return last < 0 ? 0 : Math.min(out, last / stride + 1);
    }
}
