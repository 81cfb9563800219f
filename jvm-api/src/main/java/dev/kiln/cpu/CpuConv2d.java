package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.spi.Conv2dParams;

/**
 * conv2d forward, backward-input and backward-weight by im2col + GEMM, one (image, group) pair per
 * parallel task: x (N, C, H, W), w (O, C/groups, kH, kW), y (N, O, OH, OW). A group's im2col matrix
 * col is (C/groups * kH * kW, OH * OW); y_g = w_g col, col_grad = w_g^T gy_g (then col2im),
 * gw_g = sum over images of gy_g col^T. 1x1 stride-1 unpadded convolutions use x itself as col;
 * where the GEMM packs panels of col (forward) or emits rows of it (backward-input) anyway, they come
 * from or go to the image directly.
 */
final class CpuConv2d {
    private CpuConv2d() {
    }

    static Tensor forward(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(x.shape(), w.shape(), p);
        Tensor xc = x.contiguous();
        Tensor wc = w.contiguous();
        Tensor bc = bias == null ? null : bias.contiguous();
        Tensor y = CpuMap.newTensor(new int[] {g.n(), g.o(), g.oh(), g.ow()}, x.dtype());
        Object xd = data(xc);
        Object wd = data(wc);
        Object yd = data(y);
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        boolean implicit = !g.pointwise() && CpuGemm.packsB(g.og(), outPlane, colRows);
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            Object col = g.pointwise() || implicit ? null : allocate(x.dtype(), colRows * outPlane);
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
                if (implicit) {
                    gemmOverImage(g.og(), outPlane, colRows, wd, wo, xd, xo, g, yd, yo, bc != null);
                } else if (col == null) {
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

    static Tensor backwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(inputShape, w.shape(), p);
        Tensor gyc = gy.contiguous();
        Tensor wc = w.contiguous();
        Tensor gx = CpuMap.newTensor(inputShape, gy.dtype());
        Object gyd = data(gyc);
        Object wd = data(wc);
        Object gxd = data(gx);
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        boolean implicit = !g.pointwise() && CpuGemm.packsB(colRows, outPlane, g.og());
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            Object col = g.pointwise() || implicit ? null : allocate(gy.dtype(), colRows * outPlane);
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                int xo = (img * g.c() + grp * g.cg()) * g.inPlane();
                int yo = gyc.storageOffset() + (img * g.o() + grp * g.og()) * outPlane;
                int wo = wc.storageOffset() + grp * g.og() * colRows;
                // col_grad (colRows, outPlane) = w_g^T (colRows, og) gy_g (og, outPlane)
                if (implicit) {
                    gemmIntoImage(colRows, outPlane, g.og(), wd, wo, gyd, yo, gxd, xo, g);
                } else if (col == null) {
                    gemm(colRows, outPlane, g.og(), wd, wo, 1, colRows, gyd, yo, outPlane, 1, gxd, xo, outPlane, false);
                } else {
                    gemm(colRows, outPlane, g.og(), wd, wo, 1, colRows, gyd, yo, outPlane, 1, col, 0, outPlane, false);
                    Im2col.col2imAdd(col, gxd, xo, g);
                }
            }
        });
        return gx;
    }

    static Tensor backwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p) {
        ConvGeometry g = ConvGeometry.of(x.shape(), weightShape, p);
        Tensor gyc = gy.contiguous();
        Tensor xc = x.contiguous();
        Object gyd = data(gyc);
        Object xd = data(xc);
        int colRows = g.colRows();
        int outPlane = g.outPlane();
        int size = g.o() * colRows;
        int tasks = g.n() * g.groups();
        // one partial gw per parallel piece, indexed by the piece's first task and summed in that order,
        // so the result does not depend on which thread finished first
        Object[] partials = new Object[tasks];
        Parallel.forRange(tasks, 1, (t0, t1) -> {
            Object part = allocate(gy.dtype(), size);
            Object col = g.pointwise() ? null : allocate(gy.dtype(), colRows * outPlane);
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                int xo = xc.storageOffset() + (img * g.c() + grp * g.cg()) * g.inPlane();
                int yo = gyc.storageOffset() + (img * g.o() + grp * g.og()) * outPlane;
                Object b = col;
                int bo = 0;
                if (col == null) {
                    b = xd;
                    bo = xo;
                } else {
                    Im2col.im2col(xd, xo, col, g);
                }
                // gw_g (og, colRows) += gy_g (og, outPlane) col^T (outPlane, colRows)
                gemm(g.og(), colRows, outPlane, gyd, yo, outPlane, 1, b, bo, 1, outPlane, part, grp * g.og() * colRows,
                        colRows, true);
            }
            partials[t0] = part;
        });
        Tensor gw = CpuMap.newTensor(weightShape, gy.dtype());
        Object gwd = data(gw);
        for (Object part : partials) {
            if (part != null) {
                addInto(gwd, part, size);
            }
        }
        return gw;
    }

    private static Object data(Tensor t) {
        return ((CpuStorage) t.storage()).data;
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
     * y_g (og, outPlane) at y[yOff ..] (+)= w_g (og, colRows) at w[wOff ..] times col of the image group
     * at x[xOff ..], whose panels the GEMM packs straight from x.
     */
    private static void gemmOverImage(int og, int outPlane, int colRows, Object w, int wOff, Object x, int xOff,
                                      ConvGeometry g, Object y, int yOff, boolean accumulate) {
        if (y instanceof float[] yf) {
            float[] xf = (float[]) x;
            GemmF32.gemm(og, outPlane, colRows, (float[]) w, wOff, colRows, 1,
                    (p, count, j0, nc, dst, width) -> Im2col.packRowsF32(xf, xOff, g, p, count, j0, nc, dst, width),
                    yf, yOff, outPlane, 1, accumulate);
        } else {
            double[] xd = (double[]) x;
            GemmF64.gemm(og, outPlane, colRows, (double[]) w, wOff, colRows, 1,
                    (p, count, j0, nc, dst, width) -> Im2col.packRowsF64(xd, xOff, g, p, count, j0, nc, dst, width),
                    (double[]) y, yOff, outPlane, 1, accumulate);
        }
    }

    /**
     * gx of the image group at gx[xOff ..] += col2im(w_g^T (colRows, og) gy_g (og, outPlane)), each row
     * of the product scattered into gx as the GEMM finishes it. Col rows overlap in gx, so the GEMM
     * runs its tasks in this thread (the caller is parallel over images and groups).
     */
    private static void gemmIntoImage(int colRows, int outPlane, int og, Object w, int wOff, Object gy, int gyOff,
                                      Object gx, int xOff, ConvGeometry g) {
        if (gx instanceof float[] gxf) {
            GemmF32.gemm(colRows, outPlane, og, (float[]) w, wOff, 1, colRows, (float[]) gy, gyOff, outPlane, 1,
                    (row, j0, nc, src, from) -> Im2col.col2imRowAddF32(src, from, row, j0, nc, gxf, xOff, g), false);
        } else {
            double[] gxd = (double[]) gx;
            GemmF64.gemm(colRows, outPlane, og, (double[]) w, wOff, 1, colRows, (double[]) gy, gyOff, outPlane, 1,
                    (row, j0, nc, src, from) -> Im2col.col2imRowAddF64(src, from, row, j0, nc, gxd, xOff, g), false);
        }
    }

    /** y rows [yOff + o * plane, + plane) = bias[bOff + o] for o < channels. */
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

    private static void addInto(Object dst, Object src, int size) {
        if (dst instanceof float[] df) {
            float[] sf = (float[]) src;
            for (int i = 0; i < size; i++) {
                df[i] += sf[i];
            }
        } else {
            double[] dd = (double[]) dst;
            double[] sd = (double[]) src;
            for (int i = 0; i < size; i++) {
                dd[i] += sd[i];
            }
        }
    }
}
