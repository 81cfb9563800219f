package dev.kiln.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 weight gradient of convolutions with many output channels per group, as outer products over pixels (as
 * oneDNN's): gw[o][t] = sum over images and output pixels p of gy[o][p] x[p + offset(t)] on
 * {@link DirectConvF32Vector}'s padded planes, output channels across the vector lanes and each x value broadcast. A
 * register block of four (or two) vectors of channels x TB taps (twice as many with two vectors) keeps its sums in
 * registers over a chunk of pixels, reading the vectors of gy (laid out pixel-major, gyT) and TB broadcast values of x
 * per pixel: no lane sums, no lanes spent on the flat grid's dropped columns, short rows (strided, small images) at no
 * extra cost, where {@link DirectConvWeightGradF32Vector}'s pixel lanes read unaligned x vectors and add their lanes
 * per block. Each chunk of pixels (its gyT in cache) goes through every block, whose sums are added to the block's
 * running sums after each chunk. Images go in fixed slices, each slice's sums added in slice order (the same bits at
 * any thread count).
 *
 * <p>The blocks' sums start at zero and are added to memory after the loop, written out in each block: when they
 * started from loaded running sums and were stored straight back, C2 (JDK 17) failed to intrinsify the stores inside
 * a whole training run (not in a benchmark of the kernel alone) and boxed every fused multiply-add, 30x slower; with
 * the adds in a helper method, the blocks were too large for C2 to inline it and boxed its arguments (25% slower).
 */
final class OuterWeightGradF32Vector {
    private static final VectorSpecies<Float> S = GemmF32Tiles.S;
    private static final int LANES = GemmF32Tiles.LANES;
    /**
     * Taps per register block of four vectors of channels: 24 sums of 32 registers with 512-bit vectors (AVX-512), 12
     * of 16 with 256-bit ones; blocks of two vectors take twice as many.
     */
    static final int TB = LANES >= 16 ? 6 : 3;
    /** Output pixels (about: whole images) per slice. */
    private static final int SLICE_PIXELS = 2048;
    /** Pixels per chunk: their gyT (64 channels: 64 KB) stays in cache through every block. */
    private static final int CHUNK = 256;

    private OuterWeightGradF32Vector() {
    }

    /** Whether g's output channels per group fill four-vector or two-vector blocks to at least 80%. */
    static boolean suits(ConvGeometry g) {
        return vectors(g.og()) > 0;
    }

    /** Vectors of channels per register block for og channels: 4 or 2 where they fill it to 80%, else 0. */
    private static int vectors(int og) {
        for (int nv = 4; nv >= 2; nv -= 2) {
            int ob = nv * LANES;
            if (4 * ((og + ob - 1) / ob * ob) <= 5 * og) {
                return nv;
            }
        }
        return 0;
    }

    /** gw (o, c / groups, kh, kw) = the weight gradient of conv2d for gy (n, o, oh, ow) and x. */
    static void backwardWeight(ConvGeometry g, float[] gy, int gyOff, float[] x, int xOff, float[] gw) {
        int nv = vectors(g.og());
        backwardWeight(g, gy, gyOff, x, xOff, gw, nv, nv == 4 ? TB : 2 * TB);
    }

    /**
     * backwardWeight in register blocks of nv (4 or 2) vectors of channels x tb taps: (4, 6), (2, 12), (4, 3) or (2, 6);
     * tests run all four on any machine.
     */
    static void backwardWeight(ConvGeometry g, float[] gy, int gyOff, float[] x, int xOff, float[] gw, int nv, int tb) {
        DirectConvF32Vector.Plan plan = DirectConvF32Vector.Plan.forward(g);
        int region = plan.cin() * plan.channel(); // an image's padded planes: every kept pixel's taps read inside
        int taps = g.colRows();
        int tapBlocks = (taps + tb - 1) / tb;
        int[] offsets = new int[tapBlocks * tb]; // taps past the last read offset 0, dropped
        System.arraycopy(plan.offsets(), 0, offsets, 0, taps);
        int og = g.og();
        int ob = nv * LANES;
        int ogp = (og + ob - 1) / ob * ob; // gyT's row: channels past og zero
        int block = tb * ob;                // a block's sums
        int blocks = ogp / ob * tapBlocks;
        int plane = g.outPlane();
        // slices of (nearly) equal size: 41 images of 7x7 a slice left a last one of 5, and a thread idle for a third
        int wanted = (int) Math.max(1, Math.min(g.n(), ((long) g.n() * plane + SLICE_PIXELS / 2) / SLICE_PIXELS));
        int slice = (g.n() + wanted - 1) / wanted;
        int slices = (g.n() + slice - 1) / slice;
        int[] at = new int[slice * plane]; // each pixel of a slice: its flat index in xs
        for (int p = 0; p < at.length; p++) {
            int pix = p % plane;
            at[p] = p / plane * region + pix / g.ow() * plan.wq() + pix % g.ow();
        }
        int size = og * taps;
        DirectConvWeightGradF32Vector.sumSlices(g.groups(), slices, size, gw, (group, s0, s1, partial) -> {
            float[] xs = new float[slice * region];
            float[] gyT = new float[slice * plane * ogp];
            float[] sums = new float[blocks * block]; // [o block][tap block][tap][channel]
            for (int s = s0; s < s1; s++) {
                int first = s * slice;
                int count = Math.min(slice, g.n() - first);
                for (int i = 0; i < count; i++) {
                    int img = first + i;
                    plan.pad(x, xOff + (img * g.c() + group * g.cg()) * g.inPlane(), xs, i * region);
                    transpose(gy, gyOff + (img * g.o() + group * og) * plane, og, plane, gyT, i * plane * ogp, ogp);
                }
                Arrays.fill(sums, 0f);
                for (int c0 = 0; c0 < count * plane; c0 += CHUNK) {
                    int c1 = Math.min(count * plane, c0 + CHUNK);
                    for (int k = 0; k < blocks; k++) {
                        block(nv, tb, xs, at, c0, c1, gyT, ogp, k / tapBlocks * ob, offsets, k % tapBlocks * tb, sums,
                                k * block);
                    }
                }
                partial[s] = new float[size];
                for (int k = 0; k < blocks; k++) {
                    int o0 = k / tapBlocks * ob;
                    int t0 = k % tapBlocks * tb;
                    for (int t = 0; t < tb && t0 + t < taps; t++) {
                        for (int j = 0; j < ob && o0 + j < og; j++) {
                            partial[s][(o0 + j) * taps + t0 + t] = sums[k * block + t * ob + j];
                        }
                    }
                }
            }
        });
    }

    /** dst[dstOff + p * ld + o] = src[srcOff + o * plane + p] for o &lt; og, p &lt; plane: an image's gy pixel-major. */
    private static void transpose(float[] src, int srcOff, int og, int plane, float[] dst, int dstOff, int ld) {
        for (int o = 0; o < og; o++) {
            for (int p = 0; p < plane; p++) {
                dst[dstOff + p * ld + o] = src[srcOff + o * plane + p];
            }
        }
    }

    /**
     * The sums at sums[sAt ..] ([tap][channel], tb x nv vectors) += the sums over pixels p0 &lt;= p &lt; p1 of gyT[p * ogp + o0
     * + j] x[at[p] + offsets[t0 + t]]: the register block of nv vectors x tb taps.
     */
    private static void block(int nv, int tb, float[] x, int[] at, int p0, int p1, float[] gyT, int ogp, int o0,
                              int[] offsets, int t0, float[] sums, int sAt) {
        if (nv == 4 && tb == 6) {
            block4x6(x, at, p0, p1, gyT, ogp, o0, offsets, t0, sums, sAt);
        } else if (nv == 2 && tb == 12) {
            block2x12(x, at, p0, p1, gyT, ogp, o0, offsets, t0, sums, sAt);
        } else if (nv == 4 && tb == 3) {
            block4x3(x, at, p0, p1, gyT, ogp, o0, offsets, t0, sums, sAt);
        } else if (nv == 2 && tb == 6) {
            block2x6(x, at, p0, p1, gyT, ogp, o0, offsets, t0, sums, sAt);
        } else {
            throw new IllegalArgumentException("conv2d weight gradient: no register block of " + nv + " x " + tb);
        }
    }

    private static void block4x6(float[] x, int[] at, int p0, int p1, float[] gyT, int ogp, int o0, int[] offsets,
                                 int t0, float[] sums, int sAt) {
        int f0 = offsets[t0 + 0];
        int f1 = offsets[t0 + 1];
        int f2 = offsets[t0 + 2];
        int f3 = offsets[t0 + 3];
        int f4 = offsets[t0 + 4];
        int f5 = offsets[t0 + 5];
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = zero;
        FloatVector b0 = zero;
        FloatVector c0 = zero;
        FloatVector d0 = zero;
        FloatVector a1 = zero;
        FloatVector b1 = zero;
        FloatVector c1 = zero;
        FloatVector d1 = zero;
        FloatVector a2 = zero;
        FloatVector b2 = zero;
        FloatVector c2 = zero;
        FloatVector d2 = zero;
        FloatVector a3 = zero;
        FloatVector b3 = zero;
        FloatVector c3 = zero;
        FloatVector d3 = zero;
        FloatVector a4 = zero;
        FloatVector b4 = zero;
        FloatVector c4 = zero;
        FloatVector d4 = zero;
        FloatVector a5 = zero;
        FloatVector b5 = zero;
        FloatVector c5 = zero;
        FloatVector d5 = zero;
        for (int p = p0; p < p1; p++) {
            int xi = at[p];
            int gi = p * ogp + o0;
            FloatVector g0 = FloatVector.fromArray(S, gyT, gi);
            FloatVector g1 = FloatVector.fromArray(S, gyT, gi + 1 * LANES);
            FloatVector g2 = FloatVector.fromArray(S, gyT, gi + 2 * LANES);
            FloatVector g3 = FloatVector.fromArray(S, gyT, gi + 3 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(S, x[xi + f0]);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            c0 = g2.fma(v, c0);
            d0 = g3.fma(v, d0);
            v = FloatVector.broadcast(S, x[xi + f1]);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            c1 = g2.fma(v, c1);
            d1 = g3.fma(v, d1);
            v = FloatVector.broadcast(S, x[xi + f2]);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            c2 = g2.fma(v, c2);
            d2 = g3.fma(v, d2);
            v = FloatVector.broadcast(S, x[xi + f3]);
            a3 = g0.fma(v, a3);
            b3 = g1.fma(v, b3);
            c3 = g2.fma(v, c3);
            d3 = g3.fma(v, d3);
            v = FloatVector.broadcast(S, x[xi + f4]);
            a4 = g0.fma(v, a4);
            b4 = g1.fma(v, b4);
            c4 = g2.fma(v, c4);
            d4 = g3.fma(v, d4);
            v = FloatVector.broadcast(S, x[xi + f5]);
            a5 = g0.fma(v, a5);
            b5 = g1.fma(v, b5);
            c5 = g2.fma(v, c5);
            d5 = g3.fma(v, d5);
        }
        a0.add(FloatVector.fromArray(S, sums, sAt + 0 * LANES)).intoArray(sums, sAt + 0 * LANES);
        b0.add(FloatVector.fromArray(S, sums, sAt + 1 * LANES)).intoArray(sums, sAt + 1 * LANES);
        c0.add(FloatVector.fromArray(S, sums, sAt + 2 * LANES)).intoArray(sums, sAt + 2 * LANES);
        d0.add(FloatVector.fromArray(S, sums, sAt + 3 * LANES)).intoArray(sums, sAt + 3 * LANES);
        a1.add(FloatVector.fromArray(S, sums, sAt + 4 * LANES)).intoArray(sums, sAt + 4 * LANES);
        b1.add(FloatVector.fromArray(S, sums, sAt + 5 * LANES)).intoArray(sums, sAt + 5 * LANES);
        c1.add(FloatVector.fromArray(S, sums, sAt + 6 * LANES)).intoArray(sums, sAt + 6 * LANES);
        d1.add(FloatVector.fromArray(S, sums, sAt + 7 * LANES)).intoArray(sums, sAt + 7 * LANES);
        a2.add(FloatVector.fromArray(S, sums, sAt + 8 * LANES)).intoArray(sums, sAt + 8 * LANES);
        b2.add(FloatVector.fromArray(S, sums, sAt + 9 * LANES)).intoArray(sums, sAt + 9 * LANES);
        c2.add(FloatVector.fromArray(S, sums, sAt + 10 * LANES)).intoArray(sums, sAt + 10 * LANES);
        d2.add(FloatVector.fromArray(S, sums, sAt + 11 * LANES)).intoArray(sums, sAt + 11 * LANES);
        a3.add(FloatVector.fromArray(S, sums, sAt + 12 * LANES)).intoArray(sums, sAt + 12 * LANES);
        b3.add(FloatVector.fromArray(S, sums, sAt + 13 * LANES)).intoArray(sums, sAt + 13 * LANES);
        c3.add(FloatVector.fromArray(S, sums, sAt + 14 * LANES)).intoArray(sums, sAt + 14 * LANES);
        d3.add(FloatVector.fromArray(S, sums, sAt + 15 * LANES)).intoArray(sums, sAt + 15 * LANES);
        a4.add(FloatVector.fromArray(S, sums, sAt + 16 * LANES)).intoArray(sums, sAt + 16 * LANES);
        b4.add(FloatVector.fromArray(S, sums, sAt + 17 * LANES)).intoArray(sums, sAt + 17 * LANES);
        c4.add(FloatVector.fromArray(S, sums, sAt + 18 * LANES)).intoArray(sums, sAt + 18 * LANES);
        d4.add(FloatVector.fromArray(S, sums, sAt + 19 * LANES)).intoArray(sums, sAt + 19 * LANES);
        a5.add(FloatVector.fromArray(S, sums, sAt + 20 * LANES)).intoArray(sums, sAt + 20 * LANES);
        b5.add(FloatVector.fromArray(S, sums, sAt + 21 * LANES)).intoArray(sums, sAt + 21 * LANES);
        c5.add(FloatVector.fromArray(S, sums, sAt + 22 * LANES)).intoArray(sums, sAt + 22 * LANES);
        d5.add(FloatVector.fromArray(S, sums, sAt + 23 * LANES)).intoArray(sums, sAt + 23 * LANES);
    }

    private static void block2x12(float[] x, int[] at, int p0, int p1, float[] gyT, int ogp, int o0, int[] offsets,
                                 int t0, float[] sums, int sAt) {
        int f0 = offsets[t0 + 0];
        int f1 = offsets[t0 + 1];
        int f2 = offsets[t0 + 2];
        int f3 = offsets[t0 + 3];
        int f4 = offsets[t0 + 4];
        int f5 = offsets[t0 + 5];
        int f6 = offsets[t0 + 6];
        int f7 = offsets[t0 + 7];
        int f8 = offsets[t0 + 8];
        int f9 = offsets[t0 + 9];
        int f10 = offsets[t0 + 10];
        int f11 = offsets[t0 + 11];
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = zero;
        FloatVector b0 = zero;
        FloatVector a1 = zero;
        FloatVector b1 = zero;
        FloatVector a2 = zero;
        FloatVector b2 = zero;
        FloatVector a3 = zero;
        FloatVector b3 = zero;
        FloatVector a4 = zero;
        FloatVector b4 = zero;
        FloatVector a5 = zero;
        FloatVector b5 = zero;
        FloatVector a6 = zero;
        FloatVector b6 = zero;
        FloatVector a7 = zero;
        FloatVector b7 = zero;
        FloatVector a8 = zero;
        FloatVector b8 = zero;
        FloatVector a9 = zero;
        FloatVector b9 = zero;
        FloatVector a10 = zero;
        FloatVector b10 = zero;
        FloatVector a11 = zero;
        FloatVector b11 = zero;
        for (int p = p0; p < p1; p++) {
            int xi = at[p];
            int gi = p * ogp + o0;
            FloatVector g0 = FloatVector.fromArray(S, gyT, gi);
            FloatVector g1 = FloatVector.fromArray(S, gyT, gi + 1 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(S, x[xi + f0]);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            v = FloatVector.broadcast(S, x[xi + f1]);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            v = FloatVector.broadcast(S, x[xi + f2]);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            v = FloatVector.broadcast(S, x[xi + f3]);
            a3 = g0.fma(v, a3);
            b3 = g1.fma(v, b3);
            v = FloatVector.broadcast(S, x[xi + f4]);
            a4 = g0.fma(v, a4);
            b4 = g1.fma(v, b4);
            v = FloatVector.broadcast(S, x[xi + f5]);
            a5 = g0.fma(v, a5);
            b5 = g1.fma(v, b5);
            v = FloatVector.broadcast(S, x[xi + f6]);
            a6 = g0.fma(v, a6);
            b6 = g1.fma(v, b6);
            v = FloatVector.broadcast(S, x[xi + f7]);
            a7 = g0.fma(v, a7);
            b7 = g1.fma(v, b7);
            v = FloatVector.broadcast(S, x[xi + f8]);
            a8 = g0.fma(v, a8);
            b8 = g1.fma(v, b8);
            v = FloatVector.broadcast(S, x[xi + f9]);
            a9 = g0.fma(v, a9);
            b9 = g1.fma(v, b9);
            v = FloatVector.broadcast(S, x[xi + f10]);
            a10 = g0.fma(v, a10);
            b10 = g1.fma(v, b10);
            v = FloatVector.broadcast(S, x[xi + f11]);
            a11 = g0.fma(v, a11);
            b11 = g1.fma(v, b11);
        }
        a0.add(FloatVector.fromArray(S, sums, sAt + 0 * LANES)).intoArray(sums, sAt + 0 * LANES);
        b0.add(FloatVector.fromArray(S, sums, sAt + 1 * LANES)).intoArray(sums, sAt + 1 * LANES);
        a1.add(FloatVector.fromArray(S, sums, sAt + 2 * LANES)).intoArray(sums, sAt + 2 * LANES);
        b1.add(FloatVector.fromArray(S, sums, sAt + 3 * LANES)).intoArray(sums, sAt + 3 * LANES);
        a2.add(FloatVector.fromArray(S, sums, sAt + 4 * LANES)).intoArray(sums, sAt + 4 * LANES);
        b2.add(FloatVector.fromArray(S, sums, sAt + 5 * LANES)).intoArray(sums, sAt + 5 * LANES);
        a3.add(FloatVector.fromArray(S, sums, sAt + 6 * LANES)).intoArray(sums, sAt + 6 * LANES);
        b3.add(FloatVector.fromArray(S, sums, sAt + 7 * LANES)).intoArray(sums, sAt + 7 * LANES);
        a4.add(FloatVector.fromArray(S, sums, sAt + 8 * LANES)).intoArray(sums, sAt + 8 * LANES);
        b4.add(FloatVector.fromArray(S, sums, sAt + 9 * LANES)).intoArray(sums, sAt + 9 * LANES);
        a5.add(FloatVector.fromArray(S, sums, sAt + 10 * LANES)).intoArray(sums, sAt + 10 * LANES);
        b5.add(FloatVector.fromArray(S, sums, sAt + 11 * LANES)).intoArray(sums, sAt + 11 * LANES);
        a6.add(FloatVector.fromArray(S, sums, sAt + 12 * LANES)).intoArray(sums, sAt + 12 * LANES);
        b6.add(FloatVector.fromArray(S, sums, sAt + 13 * LANES)).intoArray(sums, sAt + 13 * LANES);
        a7.add(FloatVector.fromArray(S, sums, sAt + 14 * LANES)).intoArray(sums, sAt + 14 * LANES);
        b7.add(FloatVector.fromArray(S, sums, sAt + 15 * LANES)).intoArray(sums, sAt + 15 * LANES);
        a8.add(FloatVector.fromArray(S, sums, sAt + 16 * LANES)).intoArray(sums, sAt + 16 * LANES);
        b8.add(FloatVector.fromArray(S, sums, sAt + 17 * LANES)).intoArray(sums, sAt + 17 * LANES);
        a9.add(FloatVector.fromArray(S, sums, sAt + 18 * LANES)).intoArray(sums, sAt + 18 * LANES);
        b9.add(FloatVector.fromArray(S, sums, sAt + 19 * LANES)).intoArray(sums, sAt + 19 * LANES);
        a10.add(FloatVector.fromArray(S, sums, sAt + 20 * LANES)).intoArray(sums, sAt + 20 * LANES);
        b10.add(FloatVector.fromArray(S, sums, sAt + 21 * LANES)).intoArray(sums, sAt + 21 * LANES);
        a11.add(FloatVector.fromArray(S, sums, sAt + 22 * LANES)).intoArray(sums, sAt + 22 * LANES);
        b11.add(FloatVector.fromArray(S, sums, sAt + 23 * LANES)).intoArray(sums, sAt + 23 * LANES);
    }

    private static void block4x3(float[] x, int[] at, int p0, int p1, float[] gyT, int ogp, int o0, int[] offsets,
                                 int t0, float[] sums, int sAt) {
        int f0 = offsets[t0 + 0];
        int f1 = offsets[t0 + 1];
        int f2 = offsets[t0 + 2];
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = zero;
        FloatVector b0 = zero;
        FloatVector c0 = zero;
        FloatVector d0 = zero;
        FloatVector a1 = zero;
        FloatVector b1 = zero;
        FloatVector c1 = zero;
        FloatVector d1 = zero;
        FloatVector a2 = zero;
        FloatVector b2 = zero;
        FloatVector c2 = zero;
        FloatVector d2 = zero;
        for (int p = p0; p < p1; p++) {
            int xi = at[p];
            int gi = p * ogp + o0;
            FloatVector g0 = FloatVector.fromArray(S, gyT, gi);
            FloatVector g1 = FloatVector.fromArray(S, gyT, gi + 1 * LANES);
            FloatVector g2 = FloatVector.fromArray(S, gyT, gi + 2 * LANES);
            FloatVector g3 = FloatVector.fromArray(S, gyT, gi + 3 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(S, x[xi + f0]);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            c0 = g2.fma(v, c0);
            d0 = g3.fma(v, d0);
            v = FloatVector.broadcast(S, x[xi + f1]);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            c1 = g2.fma(v, c1);
            d1 = g3.fma(v, d1);
            v = FloatVector.broadcast(S, x[xi + f2]);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            c2 = g2.fma(v, c2);
            d2 = g3.fma(v, d2);
        }
        a0.add(FloatVector.fromArray(S, sums, sAt + 0 * LANES)).intoArray(sums, sAt + 0 * LANES);
        b0.add(FloatVector.fromArray(S, sums, sAt + 1 * LANES)).intoArray(sums, sAt + 1 * LANES);
        c0.add(FloatVector.fromArray(S, sums, sAt + 2 * LANES)).intoArray(sums, sAt + 2 * LANES);
        d0.add(FloatVector.fromArray(S, sums, sAt + 3 * LANES)).intoArray(sums, sAt + 3 * LANES);
        a1.add(FloatVector.fromArray(S, sums, sAt + 4 * LANES)).intoArray(sums, sAt + 4 * LANES);
        b1.add(FloatVector.fromArray(S, sums, sAt + 5 * LANES)).intoArray(sums, sAt + 5 * LANES);
        c1.add(FloatVector.fromArray(S, sums, sAt + 6 * LANES)).intoArray(sums, sAt + 6 * LANES);
        d1.add(FloatVector.fromArray(S, sums, sAt + 7 * LANES)).intoArray(sums, sAt + 7 * LANES);
        a2.add(FloatVector.fromArray(S, sums, sAt + 8 * LANES)).intoArray(sums, sAt + 8 * LANES);
        b2.add(FloatVector.fromArray(S, sums, sAt + 9 * LANES)).intoArray(sums, sAt + 9 * LANES);
        c2.add(FloatVector.fromArray(S, sums, sAt + 10 * LANES)).intoArray(sums, sAt + 10 * LANES);
        d2.add(FloatVector.fromArray(S, sums, sAt + 11 * LANES)).intoArray(sums, sAt + 11 * LANES);
    }

    private static void block2x6(float[] x, int[] at, int p0, int p1, float[] gyT, int ogp, int o0, int[] offsets,
                                 int t0, float[] sums, int sAt) {
        int f0 = offsets[t0 + 0];
        int f1 = offsets[t0 + 1];
        int f2 = offsets[t0 + 2];
        int f3 = offsets[t0 + 3];
        int f4 = offsets[t0 + 4];
        int f5 = offsets[t0 + 5];
        FloatVector zero = FloatVector.zero(S);
        FloatVector a0 = zero;
        FloatVector b0 = zero;
        FloatVector a1 = zero;
        FloatVector b1 = zero;
        FloatVector a2 = zero;
        FloatVector b2 = zero;
        FloatVector a3 = zero;
        FloatVector b3 = zero;
        FloatVector a4 = zero;
        FloatVector b4 = zero;
        FloatVector a5 = zero;
        FloatVector b5 = zero;
        for (int p = p0; p < p1; p++) {
            int xi = at[p];
            int gi = p * ogp + o0;
            FloatVector g0 = FloatVector.fromArray(S, gyT, gi);
            FloatVector g1 = FloatVector.fromArray(S, gyT, gi + 1 * LANES);
            FloatVector v;
            v = FloatVector.broadcast(S, x[xi + f0]);
            a0 = g0.fma(v, a0);
            b0 = g1.fma(v, b0);
            v = FloatVector.broadcast(S, x[xi + f1]);
            a1 = g0.fma(v, a1);
            b1 = g1.fma(v, b1);
            v = FloatVector.broadcast(S, x[xi + f2]);
            a2 = g0.fma(v, a2);
            b2 = g1.fma(v, b2);
            v = FloatVector.broadcast(S, x[xi + f3]);
            a3 = g0.fma(v, a3);
            b3 = g1.fma(v, b3);
            v = FloatVector.broadcast(S, x[xi + f4]);
            a4 = g0.fma(v, a4);
            b4 = g1.fma(v, b4);
            v = FloatVector.broadcast(S, x[xi + f5]);
            a5 = g0.fma(v, a5);
            b5 = g1.fma(v, b5);
        }
        a0.add(FloatVector.fromArray(S, sums, sAt + 0 * LANES)).intoArray(sums, sAt + 0 * LANES);
        b0.add(FloatVector.fromArray(S, sums, sAt + 1 * LANES)).intoArray(sums, sAt + 1 * LANES);
        a1.add(FloatVector.fromArray(S, sums, sAt + 2 * LANES)).intoArray(sums, sAt + 2 * LANES);
        b1.add(FloatVector.fromArray(S, sums, sAt + 3 * LANES)).intoArray(sums, sAt + 3 * LANES);
        a2.add(FloatVector.fromArray(S, sums, sAt + 4 * LANES)).intoArray(sums, sAt + 4 * LANES);
        b2.add(FloatVector.fromArray(S, sums, sAt + 5 * LANES)).intoArray(sums, sAt + 5 * LANES);
        a3.add(FloatVector.fromArray(S, sums, sAt + 6 * LANES)).intoArray(sums, sAt + 6 * LANES);
        b3.add(FloatVector.fromArray(S, sums, sAt + 7 * LANES)).intoArray(sums, sAt + 7 * LANES);
        a4.add(FloatVector.fromArray(S, sums, sAt + 8 * LANES)).intoArray(sums, sAt + 8 * LANES);
        b4.add(FloatVector.fromArray(S, sums, sAt + 9 * LANES)).intoArray(sums, sAt + 9 * LANES);
        a5.add(FloatVector.fromArray(S, sums, sAt + 10 * LANES)).intoArray(sums, sAt + 10 * LANES);
        b5.add(FloatVector.fromArray(S, sums, sAt + 11 * LANES)).intoArray(sums, sAt + 11 * LANES);
    }
}
