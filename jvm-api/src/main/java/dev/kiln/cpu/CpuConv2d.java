package dev.kiln.cpu;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * conv2d forward, backward-input and backward-weight by im2col + GEMM: x (N, C, H, W), w (O, C/groups,
 * kH, kW), y (N, O, OH, OW). A group's im2col matrix col is (C/groups * kH * kW, OH * OW); y_g = w_g col,
 * col_grad = w_g^T gy_g (then col2im), gw_g = gy_g col^T summed over images. The forward multiplies
 * whole chunks of images at once (col matrices side by side, its panels packed straight from x), so
 * small images and channel counts still make one large GEMM; the weight gradient multiplies slices of
 * images in parallel (packed GEMMs whose panels of transposed im2col matrices are packed straight from
 * x) and adds the slices' sums in order. The input gradient runs one (chunk of images, group) pair per
 * parallel task, as col2im of neighbouring pixels overlaps; its GEMM packs gy image by image and emits
 * rows of col straight into the images. 1x1 stride-1 unpadded convolutions use x itself as col there
 * and in the per-image forward.
 */
final class CpuConv2d {
    private CpuConv2d() {
    }

    static NdArray forward(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(x.shape(), w.shape(), p);
        NdArray xc = CpuElementwise.asContiguous(x);
        NdArray wc = CpuElementwise.asContiguous(w);
        NdArray bc = bias == null ? null : CpuElementwise.asContiguous(bias);
        int[] yShape = {g.n(), g.o(), g.oh(), g.ow()};
        Object xd = data(xc);
        Object wd = data(wc);
        if (xd instanceof float[] xf && DirectConv.suitsForward(g)) { // within the direct limits: no im2col
            NdArray y = CpuMap.emptyArray(yShape, x.dtype()); // every output written
            DirectConvF32Vector.forward(g, xf, xc.storageOffset(), (float[]) wd, wc.storageOffset(),
                    bc == null ? null : (float[]) data(bc), bc == null ? 0 : bc.storageOffset(), (float[]) data(y));
            return y;
        }
        NdArray y = CpuMap.newArray(yShape, x.dtype());
        Object yd = data(y);
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        if (covers(g)) {
            // the kernel covers each image exactly (a discriminator's last convolution): one product of every image's
            // pixels, y (n, o) = x (n, colRows) w^T, where im2col packed each image's patch for an 8-row tile of one
            // output channel (DCGAN's 128 -> 1, 7x7 on 7x7, batch 64: 3.3 ms)
            for (int img = 0; bc != null && img < g.n(); img++) {
                fillBias(data(bc), bc.storageOffset(), g.o(), yd, img * g.o(), 1);
            }
            gemm(g.n(), g.o(), colRows, xd, xc.storageOffset(), colRows, 1, wd, wc.storageOffset(), 1, colRows, yd, 0, g.o(),
                    bc != null);
            return y;
        }
        int chunk = imagesPerChunk(g, (long) colRows * outPlane);
        if (!g.pointwise() && CpuGemm.packsB(g.og(), chunk * outPlane, colRows)) {
            // one GEMM per group and chunk of images, its panels packed straight from x:
            // y_g (og, images * outPlane) = w_g (og, colRows) col (colRows, images * outPlane)
            for (int grp = 0; grp < g.groups(); grp++) {
                for (int img = 0; img < g.n(); img += chunk) {
                    gemmOverImages(g, grp, img, Math.min(chunk, g.n() - img), wd, wc.storageOffset(), xd,
                            xc.storageOffset(), bc == null ? null : data(bc), bc == null ? 0 : bc.storageOffset(), yd);
                }
            }
            return y;
        }
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            Object col = g.pointwise() ? null : allocate(x.dtype(), colRows * outPlane);
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                int xo = xc.storageOffset() + (img * g.c() + grp * g.cg()) * g.inPlane();
                int yo = (img * g.o() + grp * g.og()) * outPlane;
                int wo = wc.storageOffset() + grp * g.og() * colRows;
                if (bc != null) {
                    fillBias(data(bc), bc.storageOffset() + grp * g.og(), g.og(), yd, yo, outPlane);
                }
                // y_g (og, outPlane) = w_g (og, colRows) col (colRows, outPlane)
                if (col == null) {
                    gemm(g.og(), outPlane, colRows, wd, wo, colRows, 1, xd, xo, outPlane, 1, yd, yo, outPlane, bc != null);
                } else {
                    Im2col.im2col(xd, xo, col, g);
                    gemm(g.og(), outPlane, colRows, wd, wo, colRows, 1, col, 0, outPlane, 1, yd, yo, outPlane,
                            bc != null);
                }
            }
        });
        return y;
    }

    static NdArray backwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(inputShape, w.shape(), p);
        NdArray gyc = CpuElementwise.asContiguous(gy);
        NdArray wc = CpuElementwise.asContiguous(w);
        Object gyd = data(gyc);
        Object wd = data(wc);
        if (gyd instanceof float[] gyf && DirectConv.suitsBackwardInput(g)) {
            NdArray gx = CpuMap.emptyArray(inputShape, gy.dtype()); // every element written
            DirectConvF32Vector.backwardInput(g, gyf, gyc.storageOffset(), (float[]) wd, wc.storageOffset(),
                    (float[]) data(gx));
            return gx;
        }
        NdArray gx = CpuMap.newArray(inputShape, gy.dtype());
        Object gxd = data(gx);
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        if (outPlane == 1 && !g.pointwise() && g.groups() == 1) {
            // one output pixel an image (a DCGAN's first transposed convolution, a discriminator's last convolution):
            // every image's column in one product, cols (n, colRows) = gy (n, o) w (o, colRows), where a product per
            // image was a matrix-vector one reading w across its rows; then each column scattered into its image, or,
            // where the kernel covers the image exactly, the product is gx itself
            boolean covers = covers(g);
            Object cols = covers ? gxd : allocate(gy.dtype(), Math.multiplyExact(g.n(), colRows));
            gemm(g.n(), colRows, g.o(), gyd, gyc.storageOffset(), g.o(), 1, wd, wc.storageOffset(), colRows, 1, cols, 0,
                    colRows, false);
            if (covers) {
                return gx;
            }
            Parallel.forRange(g.n(), 1, (i0, i1) -> {
                for (int img = i0; img < i1; img++) {
                    Im2col.col2imAdd(cols, img * colRows, gxd, img * g.c() * g.inPlane(), g);
                }
            });
            return gx;
        }
        // a few chunks of images per thread: each chunk's GEMM packs w_g^T once and spans whole panels
        int chunk = Math.max(1, Math.min(g.n() / (4 * Parallel.threads()),
                imagesPerChunk(g, (long) colRows * outPlane)));
        int chunks = (g.n() + chunk - 1) / chunk;
        if (!g.pointwise() && CpuGemm.packsB(colRows, chunk * outPlane, g.og())) {
            Parallel.forRange(chunks * g.groups(), 1, (t0, t1) -> {
                for (int t = t0; t < t1; t++) {
                    int img = t / g.groups() * chunk;
                    gemmIntoImages(g, t % g.groups(), img, Math.min(chunk, g.n() - img), wd, wc.storageOffset(), gyd,
                            gyc.storageOffset(), gxd);
                }
            });
            return gx;
        }
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            Object col = g.pointwise() ? null : allocate(gy.dtype(), colRows * outPlane);
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                int xo = (img * g.c() + grp * g.cg()) * g.inPlane();
                int yo = gyc.storageOffset() + (img * g.o() + grp * g.og()) * outPlane;
                int wo = wc.storageOffset() + grp * g.og() * colRows;
                // col_grad (colRows, outPlane) = w_g^T (colRows, og) gy_g (og, outPlane)
                if (col == null) {
                    gemm(colRows, outPlane, g.og(), wd, wo, 1, colRows, gyd, yo, outPlane, 1, gxd, xo, outPlane, false);
                } else {
                    gemm(colRows, outPlane, g.og(), wd, wo, 1, colRows, gyd, yo, outPlane, 1, col, 0, outPlane, false);
                    Im2col.col2imAdd(col, 0, gxd, xo, g);
                }
            }
        });
        return gx;
    }

    static NdArray backwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(x.shape(), weightShape, p);
        NdArray gyc = CpuElementwise.asContiguous(gy);
        NdArray xc = CpuElementwise.asContiguous(x);
        Object xd = data(xc);
        if (xd instanceof float[] xf && DirectConv.suitsBackwardWeight(g)) {
            NdArray gw = CpuMap.newArray(weightShape, gy.dtype());
            DirectConvWeightGradF32Vector.backwardWeight(g, (float[]) data(gyc), gyc.storageOffset(), xf,
                    xc.storageOffset(), (float[]) data(gw));
            return gw;
        }
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        int pixels = g.n() * outPlane;
        Object gyByChannel = byChannel(data(gyc), gyc.storageOffset(), g, gy.dtype()); // (o, n * outPlane)
        if (xd instanceof float[] xf && g.kh() == 1 && g.kw() == 1 && p.padH() == 0 && p.padW() == 0 && g.groups() == 1
                && (CpuGemm.usesVectorApi() || CpuGemm.blocked(g.o(), g.c(), pixels))) {
            return pointwiseBackwardWeight(g, (float[]) gyByChannel, xf, xc.storageOffset(), weightShape);
        }
        NdArray gw = CpuMap.newArray(weightShape, gy.dtype());
        Object gwd = data(gw);
        // the lanes' sums run over a 128th of a slice's pixels each: larger slices keep their blocks full
        boolean lanes = gy.dtype() == DType.FLOAT32 && WeightGradLanes.suits(g);
        int slice = Math.max(1, (lanes ? 4 * SLICE_PIXELS : SLICE_PIXELS) / outPlane);
        int slices = (g.n() + slice - 1) / slice;
        int size = g.og() * colRows;
        Im2col.Taps taps = Im2col.Taps.of(g);
        for (int grp = 0; grp < g.groups(); grp++) {
            int group = grp;
            // one partial gw_g per slice of images, summed in slice order below
            Object[] partial = new Object[slices];
            Parallel.forRange(slices, 1, (s0, s1) -> {
                for (int s = s0; s < s1; s++) {
                    int first = s * slice;
                    int count = Math.min(slice, g.n() - first);
                    int xo = xc.storageOffset() + (first * g.c() + group * g.cg()) * g.inPlane();
                    // gw_g (og, colRows) of the slice = gy_g (og, count * outPlane) im2col^T (count * outPlane, colRows)
                    partial[s] = allocate(gy.dtype(), size);
                    gemmOverPatches(g, taps, count * outPlane, gyByChannel, group * g.og() * pixels + first * outPlane,
                            pixels, xd, xo, partial[s]);
                }
            });
            for (int s = 0; s < slices; s++) {
                addInto(gwd, grp * size, partial[s], size, s == 0);
            }
        }
        return gw;
    }

    /**
     * 1x1 kernels without padding, one group (ResNet's shortcuts), on the Vector API or where the product runs on
     * the blocked kernels: gw (o, c) = gy (o, pixels) x_s^T, x_s (c, pixels) the input at the output pixels
     * (strided), a GEMM over the pixels whose B operand packs by a blocked transposition, where the general path
     * gathers each tap (batch 64, stride 2: 32 -> 64 channels at 14x14 1.25 -> 0.52 ms, 16 -> 32 at 28x28
     * 1.2-1.5 -> 1.05 ms).
     */
    private static NdArray pointwiseBackwardWeight(ConvGeometry g, float[] gyByChannel, float[] x, int xOff, int[] weightShape) {
        int plane = g.outPlane();
        int pixels = g.n() * plane;
        int sh = g.p().strideH();
        int sw = g.p().strideW();
        float[] xs = new float[g.c() * pixels]; // (c, n * plane)
        Parallel.forRange(g.n() * g.c(), Math.max(1, (1 << 14) / Math.max(1, plane)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int img = t / g.c();
                int ch = t % g.c();
                int from = xOff + t * g.inPlane(); // (img, ch) plane of x
                int to = ch * pixels + img * plane;
                for (int oy = 0; oy < g.oh(); oy++) {
                    int row = from + oy * sh * g.w();
                    for (int ox = 0; ox < g.ow(); ox++) {
                        xs[to + oy * g.ow() + ox] = x[row + ox * sw];
                    }
                }
            }
        });
        NdArray gw = CpuMap.newArray(weightShape, DType.FLOAT32);
        float[] out = (float[]) data(gw);
        if (!CpuGemm.usesVectorApi()) {
            CpuGemm.sgemm(g.o(), g.c(), pixels, gyByChannel, 0, pixels, 1, xs, 0, 1, pixels, out, 0, g.c(), false);
            return gw;
        }
        // split over pixels: o x c is too small to share among threads, the pixels are many; fixed pieces,
        // added in order, so the result does not depend on the thread count
        int pieces = (pixels + SPLIT_PIXELS - 1) / SPLIT_PIXELS;
        float[][] partial = new float[pieces][];
        Parallel.forRange(pieces, 1, (p0, p1) -> {
            for (int piece = p0; piece < p1; piece++) {
                int from = piece * SPLIT_PIXELS;
                int k = Math.min(SPLIT_PIXELS, pixels - from);
                partial[piece] = new float[g.o() * g.c()];
                GemmF32Vector.gemm(g.o(), g.c(), k, gyByChannel, from, pixels, 1, xs, from, 1, pixels, partial[piece], 0,
                        g.c(), 1, false, false);
            }
        });
        for (int piece = 0; piece < pieces; piece++) {
            addInto(out, 0, partial[piece], out.length, piece == 0);
        }
        return gw;
    }

    /** Pixels per piece of the split 1x1 weight gradient: long sums per piece, several pieces per thread. */
    private static final int SPLIT_PIXELS = 2048;

    /**
     * Pixels (whole images, at least one) summed by one weight-gradient GEMM: its sums over pixels run
     * in sequence, and shorter runs added together keep float32 rounding at the per-image level. The
     * slices run in parallel, each packing the patches of its own images.
     */
    private static final int SLICE_PIXELS = 1024;

    /** Elements of im2col matrices a chunk of images may hold, so batched GEMMs stay within memory. */
    private static final long CHUNK_ELEMENTS = 1L << 22;

    /** Images whose im2col matrices (perImage elements each) fit one chunk; at least one. */
    private static int imagesPerChunk(ConvGeometry g, long perImage) {
        return (int) Math.max(1, Math.min(g.n(), CHUNK_ELEMENTS / Math.max(1, perImage)));
    }

    /** gy (n, o, outPlane) at gyOff as (o, n * outPlane): each output channel over the whole batch. */
    private static Object byChannel(Object gy, int gyOff, ConvGeometry g, DType dtype) {
        int plane = g.outPlane();
        Object out = allocate(dtype, g.o() * g.n() * plane);
        Parallel.forRange(g.n(), Math.max(1, (1 << 14) / Math.max(1, g.o() * plane)), (i0, i1) -> {
            for (int img = i0; img < i1; img++) {
                for (int ch = 0; ch < g.o(); ch++) {
                    System.arraycopy(gy, gyOff + (img * g.o() + ch) * plane, out, (ch * g.n() + img) * plane, plane);
                }
            }
        });
        return out;
    }

    private static Object data(NdArray t) {
        return CpuStorage.array(t);
    }

    private static Object allocate(DType dtype, int size) {
        return dtype == DType.FLOAT32 ? new float[size] : new double[size];
    }

    private static void gemm(int m, int n, int k, Object a, int aOff, int aRs, int aCs, Object b, int bOff, int bRs,
                             int bCs, Object c, int cOff, int ldc, boolean accumulate) {
        if (c instanceof float[] cf) {
            CpuGemm.sgemm(m, n, k, (float[]) a, aOff, aRs, aCs, (float[]) b, bOff, bRs, bCs, cf, cOff, ldc, accumulate);
        } else {
            CpuGemm.dgemm(m, n, k, (double[]) a, aOff, aRs, aCs, (double[]) b, bOff, bRs, bCs, (double[]) c, cOff, ldc,
                    accumulate);
        }
    }

    /**
     * gw (og, colRows) = gy (og, pixels) at gy[gyOff + i * ldGy + q] times the transposed im2col matrices of
     * the images whose group starts at x[xOff], side by side; the packed GEMM packs its panels straight
     * from x, so no im2row matrix is built.
     */
    private static void gemmOverPatches(ConvGeometry g, Im2col.Taps taps, int pixels, Object gy, int gyOff, int ldGy,
                                        Object x, int xOff, Object gw) {
        int imageStride = g.c() * g.inPlane();
        if (gw instanceof float[] gwf && WeightGradLanes.suits(g)) { // small gw: see WeightGradLanes
            WeightGradLanes.gradient(g, pixels, (float[]) gy, gyOff, ldGy, (float[]) x, xOff, imageStride, gwf);
        } else {
            PackedGemm.gemm(g.og(), g.colRows(), pixels, gy, gyOff, ldGy, 1,
                    (p, count, j0, nc, dst, width) -> Im2col.packPatches(x, xOff, imageStride, g, taps, p, count, j0,
                            nc, dst, width), gw, 0, g.colRows(), 1, false);
        }
    }

    /**
     * y_g of images [img0, img0 + images) (+ bias when not null) = w_g times the im2col matrices of those
     * images side by side, whose panels the GEMM packs straight from x; rows of the product go to y.
     */
    private static void gemmOverImages(ConvGeometry g, int grp, int img0, int images, Object w, int wOff, Object x,
                                       int xOff, Object bias, int bOff, Object y) {
        int og = g.og();
        int colRows = g.colRows();
        int plane = g.outPlane();
        int xo = xOff + (img0 * g.c() + grp * g.cg()) * g.inPlane();
        int imageStride = g.c() * g.inPlane();
        int wo = wOff + grp * og * colRows;
        int yo = (img0 * g.o() + grp * og) * plane;
        int imageOut = g.o() * plane;
        int bo = bOff + grp * og; // bias of the group's first output channel
        PackedGemm.gemm(og, images * plane, colRows, w, wo, colRows, 1,
                (p, count, j0, nc, dst, width) -> Im2col.packRows(x, xo, imageStride, g, p, count, j0, nc, dst, width),
                (i, j0, nc, src, from) -> rowIntoImages(src, from, i, j0, nc, y, yo, plane, imageOut, bias, bo), true);
    }

    /**
     * Row i of y_g for pixels [j0, j0 + nc) of consecutive images (plane pixels each), from src[from ..],
     * into the images' output channel i (image k's at y[yo + k * imageOut + i * plane]), plus bias[bo + i]
     * when bias is not null; src, y and bias are all float[] or all double[].
     */
    private static void rowIntoImages(Object src, int from, int i, int j0, int nc, Object y, int yo, int plane,
                                      int imageOut, Object bias, int bo) {
        for (int j = j0; j < j0 + nc; ) {
            int img = j / plane;
            int pix = j - img * plane;
            int run = Math.min(plane - pix, j0 + nc - j);
            int at = yo + img * imageOut + i * plane + pix;
            int in = from + j - j0;
            // typed arrays: System.arraycopy's fast path needs to know them; the bias is added in place after
            // the copy, a loop C2 vectorises
            if (y instanceof float[] yf) {
                System.arraycopy((float[]) src, in, yf, at, run);
                if (bias != null) {
                    float b = ((float[]) bias)[bo + i];
                    for (int q = at; q < at + run; q++) {
                        yf[q] += b;
                    }
                }
            } else {
                double[] yd = (double[]) y;
                System.arraycopy((double[]) src, in, yd, at, run);
                if (bias != null) {
                    double b = ((double[]) bias)[bo + i];
                    for (int q = at; q < at + run; q++) {
                        yd[q] += b;
                    }
                }
            }
            j += run;
        }
    }

    /**
     * gx of group grp of images [img0, img0 + images) += col2im(w_g^T (colRows, og) gy_g (og, images * outPlane)):
     * one GEMM whose B panels are packed from gy image by image and whose rows of col are scattered into
     * gx as it finishes them. Col rows overlap in gx, so the GEMM runs its tasks in this thread (the
     * caller is parallel over chunks of images).
     */
    private static void gemmIntoImages(ConvGeometry g, int grp, int img0, int images, Object w, int wOff, Object gy,
                                       int gyOff, Object gx) {
        int og = g.og();
        int colRows = g.colRows();
        int plane = g.outPlane();
        int wo = wOff + grp * og * colRows;
        // gy_g (og, plane) of image img0 + i at gyo + i * o * plane
        int gyo = gyOff + (img0 * g.o() + grp * og) * plane;
        int imageOut = g.o() * plane;
        int imageIn = g.c() * g.inPlane();
        int xo = (img0 * g.c() + grp * g.cg()) * g.inPlane();
        PackedGemm.gemm(colRows, images * plane, og, w, wo, 1, colRows,
                (p, count, j0, nc, dst, width) -> packImages(gy, gyo, imageOut, plane, p, count, j0, nc, dst, width),
                (row, j0, nc, src, from) -> col2imImages(src, from, row, j0, nc, gx, xo, imageIn, g), false);
    }

    /**
     * Row `row` of the col matrices of consecutive images (outPlane columns each), columns [j0, j0 + nc)
     * taken from src[from ..], added by col2im into the images, image i's group at gx[xOff + i * imageIn].
     */
    private static void col2imImages(Object src, int from, int row, int j0, int nc, Object gx, int xOff, int imageIn,
                                     ConvGeometry g) {
        int plane = g.outPlane();
        for (int j = j0; j < j0 + nc; ) {
            int img = j / plane;
            int run = Math.min((img + 1) * plane - j, j0 + nc - j);
            Im2col.col2imRowAdd(src, from + j - j0, row, j - img * plane, run, gx, xOff + img * imageIn, g);
            j += run;
        }
    }

    /**
     * dst[q * width + j] = B[p + q][j0 + j] for q &lt; count, j &lt; nc, where B (rows, images * plane) holds
     * the images' (rows, plane) blocks side by side, image i's at src[srcOff + i * imageStride]; src and
     * dst are both float[] or both double[].
     */
    private static void packImages(Object src, int srcOff, int imageStride, int plane, int p, int count, int j0, int nc,
                                   Object dst, int width) {
        for (int q = 0; q < count; q++) {
            for (int j = j0; j < j0 + nc; ) {
                int img = j / plane;
                int pix = j - img * plane;
                int run = Math.min(plane - pix, j0 + nc - j);
                System.arraycopy(src, srcOff + img * imageStride + (p + q) * plane + pix, dst, q * width + j - j0, run);
                j += run;
            }
        }
    }

    /** y rows [yOff + o * plane, + plane) = bias[bOff + o] for o &lt; channels. */
    /** Whether g's kernel covers each image exactly: one output pixel, unpadded, undilated, one group. */
    private static boolean covers(ConvGeometry g) {
        Conv2dParams p = g.p();
        return g.kh() == g.h() && g.kw() == g.w() && p.padH() == 0 && p.padW() == 0 && p.dilationH() == 1
                && p.dilationW() == 1 && g.groups() == 1;
    }

    private static void fillBias(Object bias, int bOff, int channels, Object y, int yOff, int plane) {
        for (int o = 0; o < channels; o++) {
            int from = yOff + o * plane;
            if (y instanceof float[] yf) {
                java.util.Arrays.fill(yf, from, from + plane, ((float[]) bias)[bOff + o]);
            } else {
                java.util.Arrays.fill((double[]) y, from, from + plane, ((double[]) bias)[bOff + o]);
            }
        }
    }

    /** dst[dstOff + i] = src[i] (first) or dst[dstOff + i] + src[i], for i &lt; size. */
    static void addInto(Object dst, int dstOff, Object src, int size, boolean first) {
        if (first) {
            System.arraycopy(src, 0, dst, dstOff, size);
        } else if (dst instanceof float[] df) {
            float[] sf = (float[]) src;
            for (int i = 0; i < size; i++) {
                df[dstOff + i] += sf[i];
            }
        } else {
            double[] dd = (double[]) dst;
            double[] sd = (double[]) src;
            for (int i = 0; i < size; i++) {
                dd[dstOff + i] += sd[i];
            }
        }
    }
}
