package dev.kiln.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 weight gradient of the convolutions {@link DirectConvF32Vector} computes, on the same
 * padded planes: gw[o][t] = sum over images and output pixels q of gy[o][q] x[q + offset(t)], where
 * offset(t) is tap t's flat offset (channel, row, column). gy is laid out on the flat grid too (zeros in
 * the dropped columns), so both operands of every product are consecutive: a block of 4 output channels
 * x 5 taps keeps 20 vector sums (512-bit vectors: 32 registers; 4 x 2 taps, 8 sums, with 256-bit ones: 16
 * registers, where 4 x 3 spilled a sum to the stack and ran 1.2-1.4x slower), reads 9 vectors per 20 fused
 * multiply-adds (6 per 8), and adds its lanes up at the end.
 * Images go in fixed slices (independent of the thread count), each slice's sums added in slice order, as
 * the GEMM path does.
 */
final class DirectConvWeightGradF32Vector {
    private static final VectorSpecies<Float> S = GemmF32Tiles.S;
    private static final int LANES = GemmF32Tiles.LANES;
    /** Output channels per register block. */
    private static final int OBW = 4;
    /** Taps per register block: as many as the registers hold beside the sums. */
    static final int TB = LANES >= 16 ? 5 : 2;
    /** Flat pixels (about) summed per slice of images. */
    private static final int SLICE_FLAT = 2048;

    private DirectConvWeightGradF32Vector() {
    }

    /** gw (o, c / groups, kh, kw) = the weight gradient of conv2d for gy (n, o, oh, ow) and x. */
    static void backwardWeight(ConvGeometry g, float[] gy, int gyOff, float[] x, int xOff, float[] gw) {
        if (OuterWeightGradF32Vector.suits(g)) {
            OuterWeightGradF32Vector.backwardWeight(g, gy, gyOff, x, xOff, gw);
        } else {
            backwardWeight(g, gy, gyOff, x, xOff, gw, TB);
        }
    }

    /** backwardWeight in register blocks of tb (5 or 2) taps: tests run both on any machine. */
    static void backwardWeight(ConvGeometry g, float[] gy, int gyOff, float[] x, int xOff, float[] gw, int tb) {
        DirectConvF32Vector.Plan plan = DirectConvF32Vector.Plan.forward(g);
        int flatR = (plan.flat() + LANES - 1) / LANES * LANES; // a channel's gy on the flat grid, whole vectors
        int region = Math.max(plan.cin() * plan.channel(), flatR + plan.reach()); // an image's planes, reads past
        int taps = g.colRows();
        int tapBlocks = (taps + tb - 1) / tb;
        int rows = (g.og() + OBW - 1) / OBW * OBW;            // gy rows, zero past og
        int[] offsets = new int[tapBlocks * tb];               // taps past the last read offset 0, dropped
        System.arraycopy(plan.offsets(), 0, offsets, 0, taps);
        int slice = Math.max(1, SLICE_FLAT / flatR);
        int slices = (g.n() + slice - 1) / slice;
        int size = g.og() * taps;
        sumSlices(g.groups(), slices, size, gw, (group, s0, s1, partial) -> {
            float[] xs = new float[slice * region];
            float[] gys = new float[rows * slice * flatR];
            float[] sums = new float[OBW * tb];
            for (int s = s0; s < s1; s++) {
                int first = s * slice;
                int count = Math.min(slice, g.n() - first);
                for (int i = 0; i < count; i++) {
                    int img = first + i;
                    plan.pad(x, xOff + (img * g.c() + group * g.cg()) * g.inPlane(), xs, i * region);
                    for (int o = 0; o < g.og(); o++) {
                        int from = gyOff + (img * g.o() + group * g.og() + o) * g.outPlane();
                        for (int r = 0; r < g.oh(); r++) {
                            System.arraycopy(gy, from + r * g.ow(), gys, (o * slice + i) * flatR + r * plan.wq(),
                                    g.ow());
                        }
                    }
                }
                partial[s] = new float[size];
                for (int ob = 0; ob * OBW < g.og(); ob++) {
                    for (int b = 0; b < tapBlocks; b++) {
                        block(xs, region, gys, slice * flatR, ob * OBW * slice * flatR, flatR, count, offsets,
                                b * tb, tb, sums);
                        for (int o = 0; o < OBW && ob * OBW + o < g.og(); o++) {
                            for (int t = 0; t < tb && b * tb + t < taps; t++) {
                                partial[s][(ob * OBW + o) * taps + b * tb + t] = sums[o * tb + t];
                            }
                        }
                    }
                }
            }
        });
    }

    /** Work on slices [s0, s1) of a group: partial[s] = a new array of slice s's sums. */
    @FunctionalInterface
    interface SliceSums {
        void run(int group, int s0, int s1, float[][] partial);
    }

    /**
     * gw's groups (size sums each), each the sum in slice order of the partial sums body computes slice by slice, the
     * slices in parallel: the same bits at any thread count.
     */
    static void sumSlices(int groups, int slices, int size, float[] gw, SliceSums body) {
        for (int grp = 0; grp < groups; grp++) {
            int group = grp;
            float[][] partial = new float[slices][];
            Parallel.forRange(slices, 1, (s0, s1) -> body.run(group, s0, s1, partial));
            for (int s = 0; s < slices; s++) {
                CpuConv2d.addInto(gw, grp * size, partial[s], size, s == 0);
            }
        }
    }

    /** {@link #block5} or {@link #block2}: a register block of tb taps. */
    private static void block(float[] x, int region, float[] gy, int gyRow, int gAt, int flatR, int count, int[] offsets,
                              int t0, int tb, float[] sums) {
        if (tb == 5) {
            block5(x, region, gy, gyRow, gAt, flatR, count, offsets, t0, sums);
        } else {
            block2(x, region, gy, gyRow, gAt, flatR, count, offsets, t0, sums);
        }
    }

    /**
     * sums[o * 5 + t] = sum over images i &lt; count and q &lt; flatR of gy[gAt + o * gyRow + i * flatR + q]
     * x[i * region + q + offsets[t0 + t]]; its accumulators are locals, so they stay in registers.
     */
    private static void block5(float[] x, int region, float[] gy, int gyRow, int gAt, int flatR, int count, int[] offsets,
                               int t0, float[] sums) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a02 = FloatVector.zero(S);
        FloatVector a03 = FloatVector.zero(S);
        FloatVector a04 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a12 = FloatVector.zero(S);
        FloatVector a13 = FloatVector.zero(S);
        FloatVector a14 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a21 = FloatVector.zero(S);
        FloatVector a22 = FloatVector.zero(S);
        FloatVector a23 = FloatVector.zero(S);
        FloatVector a24 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a31 = FloatVector.zero(S);
        FloatVector a32 = FloatVector.zero(S);
        FloatVector a33 = FloatVector.zero(S);
        FloatVector a34 = FloatVector.zero(S);
        // one loop over every image's pixels (nested loops cost C2 its registers for the sums): gy's images
        // follow one another, x's start region apart
        int xq = 0;
        int q = 0;
        for (int gq = gAt; gq < gAt + count * flatR; gq += LANES) {
            FloatVector x0 = FloatVector.fromArray(S, x, xq + offsets[t0 + 0]);
            FloatVector x1 = FloatVector.fromArray(S, x, xq + offsets[t0 + 1]);
            FloatVector x2 = FloatVector.fromArray(S, x, xq + offsets[t0 + 2]);
            FloatVector x3 = FloatVector.fromArray(S, x, xq + offsets[t0 + 3]);
            FloatVector x4 = FloatVector.fromArray(S, x, xq + offsets[t0 + 4]);
            FloatVector g0 = FloatVector.fromArray(S, gy, gq + 0 * gyRow);
            a00 = g0.fma(x0, a00);
            a01 = g0.fma(x1, a01);
            a02 = g0.fma(x2, a02);
            a03 = g0.fma(x3, a03);
            a04 = g0.fma(x4, a04);
            FloatVector g1 = FloatVector.fromArray(S, gy, gq + 1 * gyRow);
            a10 = g1.fma(x0, a10);
            a11 = g1.fma(x1, a11);
            a12 = g1.fma(x2, a12);
            a13 = g1.fma(x3, a13);
            a14 = g1.fma(x4, a14);
            FloatVector g2 = FloatVector.fromArray(S, gy, gq + 2 * gyRow);
            a20 = g2.fma(x0, a20);
            a21 = g2.fma(x1, a21);
            a22 = g2.fma(x2, a22);
            a23 = g2.fma(x3, a23);
            a24 = g2.fma(x4, a24);
            FloatVector g3 = FloatVector.fromArray(S, gy, gq + 3 * gyRow);
            a30 = g3.fma(x0, a30);
            a31 = g3.fma(x1, a31);
            a32 = g3.fma(x2, a32);
            a33 = g3.fma(x3, a33);
            a34 = g3.fma(x4, a34);
            xq += LANES;
            q += LANES;
            if (q == flatR) {
                q = 0;
                xq += region - flatR;
            }
        }
        sums[0] = a00.reduceLanes(VectorOperators.ADD);
        sums[1] = a01.reduceLanes(VectorOperators.ADD);
        sums[2] = a02.reduceLanes(VectorOperators.ADD);
        sums[3] = a03.reduceLanes(VectorOperators.ADD);
        sums[4] = a04.reduceLanes(VectorOperators.ADD);
        sums[5] = a10.reduceLanes(VectorOperators.ADD);
        sums[6] = a11.reduceLanes(VectorOperators.ADD);
        sums[7] = a12.reduceLanes(VectorOperators.ADD);
        sums[8] = a13.reduceLanes(VectorOperators.ADD);
        sums[9] = a14.reduceLanes(VectorOperators.ADD);
        sums[10] = a20.reduceLanes(VectorOperators.ADD);
        sums[11] = a21.reduceLanes(VectorOperators.ADD);
        sums[12] = a22.reduceLanes(VectorOperators.ADD);
        sums[13] = a23.reduceLanes(VectorOperators.ADD);
        sums[14] = a24.reduceLanes(VectorOperators.ADD);
        sums[15] = a30.reduceLanes(VectorOperators.ADD);
        sums[16] = a31.reduceLanes(VectorOperators.ADD);
        sums[17] = a32.reduceLanes(VectorOperators.ADD);
        sums[18] = a33.reduceLanes(VectorOperators.ADD);
        sums[19] = a34.reduceLanes(VectorOperators.ADD);
    }

    /** {@link #block5} for 2 taps: sums[o * 2 + t]. */
    private static void block2(float[] x, int region, float[] gy, int gyRow, int gAt, int flatR, int count, int[] offsets,
                               int t0, float[] sums) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a31 = FloatVector.zero(S);
        int xq0 = offsets[t0];
        int xq1 = offsets[t0 + 1];
        int q = 0;
        for (int gq = gAt; gq < gAt + count * flatR; gq += LANES) {
            FloatVector x0 = FloatVector.fromArray(S, x, xq0);
            FloatVector x1 = FloatVector.fromArray(S, x, xq1);
            FloatVector g0 = FloatVector.fromArray(S, gy, gq);
            a00 = g0.fma(x0, a00);
            a01 = g0.fma(x1, a01);
            FloatVector g1 = FloatVector.fromArray(S, gy, gq + gyRow);
            a10 = g1.fma(x0, a10);
            a11 = g1.fma(x1, a11);
            FloatVector g2 = FloatVector.fromArray(S, gy, gq + 2 * gyRow);
            a20 = g2.fma(x0, a20);
            a21 = g2.fma(x1, a21);
            FloatVector g3 = FloatVector.fromArray(S, gy, gq + 3 * gyRow);
            a30 = g3.fma(x0, a30);
            a31 = g3.fma(x1, a31);
            xq0 += LANES;
            xq1 += LANES;
            q += LANES;
            if (q == flatR) {
                q = 0;
                xq0 += region - flatR;
                xq1 += region - flatR;
            }
        }
        sums[0] = a00.reduceLanes(VectorOperators.ADD);
        sums[1] = a01.reduceLanes(VectorOperators.ADD);
        sums[2] = a10.reduceLanes(VectorOperators.ADD);
        sums[3] = a11.reduceLanes(VectorOperators.ADD);
        sums[4] = a20.reduceLanes(VectorOperators.ADD);
        sums[5] = a21.reduceLanes(VectorOperators.ADD);
        sums[6] = a30.reduceLanes(VectorOperators.ADD);
        sums[7] = a31.reduceLanes(VectorOperators.ADD);
    }
}
