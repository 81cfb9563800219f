package dev.kiln.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 conv2d computed directly on the Vector API, for convolutions up to the channels and taps of
 * {@link DirectConv}'s limits (LeNet's, ResNet-small's; with 512-bit vectors up to 256 channels), where im2col's
 * packing costs more than the GEMM it feeds. A group's input is copied
 * into a zero-padded buffer, planes (hp, wp) = (h + 2 padH, w + 2 padW) one after another; output pixel
 * (oy, ox) is then read at the flat index q = oy * wp + ox, and each kernel tap (c, ky, kx) reads the
 * plane at q + c * hp * wp + ky * dilationH * wp + kx * dilationW: for every tap, consecutive q are
 * consecutive input elements. So a vector of output pixels is one load per tap, whatever the kernel;
 * the ow..wp-1 columns of each row are computed and dropped (ox &lt; ow only is kept). Strided
 * convolutions read phase planes instead (see {@link Plan}).
 *
 * <p>The micro-kernel holds output channels x two vectors of pixels in registers: per tap, two loads of x,
 * a broadcast of each channel's weight and two fused multiply-adds per channel. 512-bit vectors (AVX-512:
 * 32 registers) take 8 channels, 16 accumulators; 256-bit ones (AVX2: 16 registers) 4 channels, 8
 * accumulators, twice per block of 8 (8 would spill). The input gradient at stride 1 is the same computation:
 * gy padded by (k - 1) * dilation - pad, convolved with the kernel flipped and its channels swapped; at larger
 * strides it runs phase by phase through {@link #correlate} ({@link StridedInputGradF32Vector}).
 * Sums run over channels, then rows, then columns of the kernel, fused.
 */
final class DirectConvF32Vector {
    private static final VectorSpecies<Float> S = GemmF32Tiles.S;
    private static final int LANES = GemmF32Tiles.LANES;
    /** Output channels per block of packed weights and of the tile. */
    private static final int OB = 8;
    /** Whether a register block takes all OB channels (512-bit vectors) or half of them (256-bit). */
    static final boolean WIDE = LANES >= 16;
    /** Output pixels (flat q) per register block: two vectors. */
    static final int QB = 2 * LANES;
    /** Half a vector: stride-2 rows of up to its lanes' even columns (14 columns with 512-bit vectors) go in one pair. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final int HALF_LANES = HALF.length();
    /** A vector's even lanes to its low half, odd lanes to its high half. */
    private static final VectorShuffle<Float> SPLIT = split(S);
    private static final VectorShuffle<Float> HALF_SPLIT = split(HALF);
    /** The two halves exchanged. */
    private static final VectorShuffle<Float> SWAP = swap(S);
    private static final VectorShuffle<Float> HALF_SWAP = swap(HALF);
    /** The high half's lanes. */
    private static final VectorMask<Float> HIGH = high(S);
    private static final VectorMask<Float> HALF_HIGH = high(HALF);

    private DirectConvF32Vector() {
    }

    /** y (n, o, oh, ow) = conv2d(x, w) + bias (null: none), x, w and bias read from their offsets. */
    static void forward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, float[] y) {
        forward(g, x, xOff, w, wOff, bias, bOff, y, WIDE);
    }

    /** forward with register blocks of all OB channels (wide) or half of them: tests run both on any machine. */
    static void forward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, float[] y,
                        boolean wide) {
        Plan plan = Plan.forward(g);
        float[][] packed = new float[g.groups()][];
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = wOff + grp * g.og() * g.colRows();
            // tap t = ci * kk + k of output channel co: w[base + co * colRows + t]
            packed[grp] = pack(g.og(), g.colRows(), (co, t) -> w[base + co * g.colRows() + t]);
        }
        int[] offsets = plan.offsets();
        int bufferSize = plan.bufferSize();
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            float[] buffer = new float[bufferSize];
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                plan.pad(x, xOff + (img * g.c() + grp * g.cg()) * g.inPlane(), buffer, 0);
                plan.run(buffer, offsets, packed[grp], bias, bias == null ? 0 : bOff + grp * g.og(), y,
                        (img * g.o() + grp * g.og()) * g.outPlane(), wide);
            }
        });
    }

    /** gx (n, c, h, w) = the input gradient of conv2d for gy (n, o, oh, ow) and w. */
    static void backwardInput(ConvGeometry g, float[] gy, int gyOff, float[] w, int wOff, float[] gx) {
        backwardInput(g, gy, gyOff, w, wOff, gx, WIDE);
    }

    /** backwardInput in register blocks of OB channels (wide) or half of them, as forward. */
    static void backwardInput(ConvGeometry g, float[] gy, int gyOff, float[] w, int wOff, float[] gx, boolean wide) {
        if (g.p().strideH() > 1 || g.p().strideW() > 1) {
            StridedInputGradF32Vector.backwardInput(g, gy, gyOff, w, wOff, gx, wide);
            return;
        }
        int kh = g.kh();
        int kw = g.kw();
        int dh = g.p().dilationH();
        int dw = g.p().dilationW();
        int kk = kh * kw;
        // gy padded by (k - 1) * d - pad gives back (h, w); the kernel is flipped, channels swapped
        Plan plan = new Plan(g.og(), g.oh(), g.ow(), (kh - 1) * dh - g.p().padH(), (kw - 1) * dw - g.p().padW(), kh, kw,
                dh, dw, 1, 1, g.cg(), g.h(), g.w());
        float[][] packed = new float[g.groups()][];
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = wOff + grp * g.og() * g.colRows();
            // tap t = ci * kk + ky * kw + kx of the flipped, transposed kernel reads w[o = ci][c = co][kh-1-ky][kw-1-kx]
            packed[grp] = pack(g.cg(), g.og() * kk, (co, t) -> w[base + t / kk * g.colRows() + co * kk + kk - 1 - t % kk]);
        }
        int[] offsets = plan.offsets();
        int bufferSize = plan.bufferSize();
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            float[] buffer = new float[bufferSize];
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                plan.pad(gy, gyOff + (img * g.o() + grp * g.og()) * g.outPlane(), buffer, 0);
                plan.run(buffer, offsets, packed[grp], null, 0, gx, (img * g.c() + grp * g.cg()) * g.inPlane(), wide);
            }
        });
    }

    /**
     * One correlation: cin planes (h, w) padded by (padH, padW), a (kh, kw) kernel dilated by (dh, dw) and strided
     * by (sh, sw), into cout planes (oh, ow). A stride splits each padded plane into sh * sw phase planes (hq, wq),
     * phase (a, b) holding the padded pixels (sh i + a, sw j + b); tap (ky, kx) then reads phase (ky dh % sh,
     * kx dw % sw) shifted by (ky dh / sh, kx dw / sw), so output pixel (oy, ox) sits at flat q = oy * wq + ox and
     * every tap reads consecutive elements for consecutive q, as with stride 1 (where the phase plane is the
     * padded plane).
     */
    record Plan(int cin, int h, int w, int padH, int padW, int kh, int kw, int dh, int dw, int sh, int sw, int cout,
                int oh, int ow) {
        /** A group of g's forward pass. */
        static Plan forward(ConvGeometry g) {
            return new Plan(g.cg(), g.h(), g.w(), g.p().padH(), g.p().padW(), g.kh(), g.kw(), g.p().dilationH(),
                    g.p().dilationW(), g.p().strideH(), g.p().strideW(), g.og(), g.oh(), g.ow());
        }

        /** Rows of a phase plane. */
        int hq() {
            return (h + 2 * padH + sh - 1) / sh;
        }

        /** Columns of a phase plane: the flat grid's row width. */
        int wq() {
            return (w + 2 * padW + sw - 1) / sw;
        }

        /** Elements of an input channel's phase planes. */
        int channel() {
            return sh * sw * hq() * wq();
        }

        /** Flat outputs computed: oh rows of wq. */
        int flat() {
            return oh * wq();
        }

        /** The size of a padded-input buffer: the planes, then room for the last block's reads past them (kept zero). */
        int bufferSize() {
            int blocks = (flat() + QB - 1) / QB;
            return Math.max(cin * channel(), blocks * QB + reach());
        }

        /** The largest tap offset: how far past a flat index its reads go. */
        int reach() {
            int most = 0;
            for (int offset : offsets()) {
                most = Math.max(most, offset);
            }
            return most;
        }

        /** Flat offset of tap t = ci * kh * kw + ky * kw + kx: its phase plane, then its shift within it. */
        int[] offsets() {
            int kk = kh * kw;
            int plane = hq() * wq();
            int[] offsets = new int[cin * kk];
            for (int ci = 0; ci < cin; ci++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        int ry = ky * dh;
                        int rx = kx * dw;
                        int phase = ry % sh * sw + rx % sw;
                        offsets[ci * kk + ky * kw + kx] = ci * channel() + phase * plane + ry / sh * wq() + rx / sw;
                    }
                }
            }
            return offsets;
        }

        /** buffer's phase planes from at = the cin planes at src[off ..] with zero borders (never written). */
        void pad(float[] src, int off, float[] buffer, int at) {
            int wq = wq();
            int plane = hq() * wq;
            for (int ci = 0; ci < cin; ci++) {
                for (int r = 0; r < h; r++) {
                    int pr = r + padH; // padded row: phase row pr % sh, row pr / sh of its planes
                    int rowAt = at + ci * channel() + pr % sh * sw * plane + pr / sh * wq;
                    int from = off + (ci * h + r) * w;
                    if (sw == 1) {
                        System.arraycopy(src, from, buffer, rowAt + padW, w);
                    } else if (sw == 2) { // column c to phase (c + padW) % 2, at (c + padW) / 2
                        int phases = rowAt - pr / sh * wq; // the row's phase planes
                        int even = padW % 2;
                        deinterleave(src, from, w, buffer, rowAt + even * plane + padW / 2, phases + (even + 1) * plane,
                                rowAt + (1 - even) * plane + (padW + 1) / 2, phases + (2 - even) * plane);
                    } else { // phase b takes the columns c0 + j sw with (c0 + padW) % sw == b
                        for (int b = 0; b < sw; b++) {
                            int c0 = Math.floorMod(b - padW, sw);
                            int to = rowAt + b * plane + (c0 + padW) / sw;
                            for (int c = c0; c < w; c += sw) {
                                buffer[to++] = src[from + c];
                            }
                        }
                    }
                }
            }
        }

        /**
         * dst[even + j] = src[from + 2 j] for j &lt; (w + 1) / 2 and dst[odd + j] = src[from + 2 j + 1] for j &lt; w / 2: a
         * row's even and odd columns into their phase rows. Rows are short (28 columns: less than two 512-bit vectors),
         * so whole vectors are stored and the cells past a row's data zeroed again: they are pads, or the data of later
         * rows of the same phase plane (pad writes rows in order); where a store would reach past the plane (evenEnd,
         * oddEnd) or a load past src, the row goes scalar. Twice as fast as the scalar loop on 28 columns, which C2 runs
         * mostly in its pre- and post-loops.
         */
        private static void deinterleave(float[] src, int from, int w, float[] dst, int even, int evenEnd, int odd,
                                         int oddEnd) {
            int evens = (w + 1) / 2;
            int odds = w / 2;
            boolean half = evens <= HALF_LANES; // one pair of half vectors: rows of 14 columns wrote 16 + 16 cells
            int step = half ? HALF_LANES : LANES;
            int span = (evens + step - 1) / step * step;
            if (from + 2 * span <= src.length && even + span <= evenEnd && odd + span <= oddEnd) {
                if (half) {
                    halfPair(src, from, dst, even, odd);
                }
                for (int j = 0; !half && j < span; j += LANES) {
                    // each pair of vectors to [its evens | its odds], then the halves exchanged between the two
                    FloatVector p0 = FloatVector.fromArray(S, src, from + 2 * j).rearrange(SPLIT);
                    FloatVector p1 = FloatVector.fromArray(S, src, from + 2 * j + LANES).rearrange(SPLIT);
                    p0.blend(p1.rearrange(SWAP), HIGH).intoArray(dst, even + j);
                    p0.rearrange(SWAP).blend(p1, HIGH).intoArray(dst, odd + j);
                }
                for (int j = evens; j < span; j++) { // a few cells: Arrays.fill's call cost more (11% of the forward)
                    dst[even + j] = 0f;
                }
                for (int j = odds; j < span; j++) {
                    dst[odd + j] = 0f;
                }
            } else {
                for (int j = 0; j < odds; j++) {
                    dst[even + j] = src[from + 2 * j];
                    dst[odd + j] = src[from + 2 * j + 1];
                }
                if (evens > odds) {
                    dst[even + odds] = src[from + 2 * odds];
                }
            }
        }

        /** {@link #deinterleave}'s pair of vectors for a row of at most 2 HALF_LANES columns, in half vectors. */
        private static void halfPair(float[] src, int from, float[] dst, int even, int odd) {
            FloatVector p0 = FloatVector.fromArray(HALF, src, from).rearrange(HALF_SPLIT);
            FloatVector p1 = FloatVector.fromArray(HALF, src, from + HALF_LANES).rearrange(HALF_SPLIT);
            p0.blend(p1.rearrange(HALF_SWAP), HALF_HIGH).intoArray(dst, even);
            p0.rearrange(HALF_SWAP).blend(p1, HALF_HIGH).intoArray(dst, odd);
        }


        /**
         * cout planes (oh, ow) at dst[dstOff ..] = the correlation of buffer with the packed kernel (+ bias), its taps
         * at {@link #offsets()} (computed once by the caller, not per image), in
         * register blocks of OB channels (wide) or OB / 2.
         */
        void run(float[] buffer, int[] offsets, float[] packed, float[] bias, int bOff, float[] dst, int dstOff,
                 boolean wide) {
            correlate(buffer, offsets, oh, ow, wq(), cout, packed, bias, bOff, dst, dstOff, wide);
        }
    }

    /** Weight of output channel co at tap t of a packed kernel. */
    @FunctionalInterface
    interface TapWeight {
        float get(int co, int t);
    }

    /** [ob][t][j] = weight(ob * OB + j, t) (0 past cout), flattened: {@link #correlate}'s kernel of taps taps. */
    static float[] pack(int cout, int taps, TapWeight weight) {
        int blocks = (cout + OB - 1) / OB;
        float[] out = new float[blocks * taps * OB];
        for (int co = 0; co < cout; co++) {
            for (int t = 0; t < taps; t++) {
                out[((co / OB) * taps + t) * OB + co % OB] = weight.get(co, t);
            }
        }
        return out;
    }

    /**
     * cout planes (rows, cols) at dst[dstOff ..] = sums over taps t of buffer[q + offsets[t]] times the packed weights
     * (+ bias when not null), q = row * rowWidth + column the flat output grid (columns from cols on computed and
     * dropped), in register blocks of OB channels (wide) or OB / 2; buffer holds QB - 1 readable cells past the last
     * flat output's farthest tap.
     */
    static void correlate(float[] buffer, int[] offsets, int rows, int cols, int rowWidth, int cout, float[] packed,
                          float[] bias, int bOff, float[] dst, int dstOff, boolean wide) {
        int taps = offsets.length;
        int flat = rows * rowWidth;
        float[] tile = new float[OB * QB];
        float[] start = new float[OB]; // each channel's sums start at its bias
        for (int ob = 0; ob * OB < cout; ob++) {
            for (int j = 0; j < OB && bias != null && ob * OB + j < cout; j++) {
                start[j] = bias[bOff + ob * OB + j];
            }
            for (int q0 = 0; q0 < flat; q0 += QB) {
                if (wide) {
                    block8(buffer, q0, offsets, packed, ob * taps * OB, start, tile);
                } else {
                    block4(buffer, q0, offsets, packed, ob * taps * OB, 0, start, tile);
                    if (ob * OB + 4 < cout) {
                        block4(buffer, q0, offsets, packed, ob * taps * OB, 4, start, tile);
                    }
                }
                store(tile, ob, q0, rows, cols, rowWidth, cout, dst, dstOff);
            }
        }
    }

    /** tile (OB, QB) = start + the block's sums; kept out of line with its accumulators as locals, in registers. */
    private static void block8(float[] x, int q0, int[] offsets, float[] wts, int wAt, float[] start, float[] tile) {
        FloatVector a00 = FloatVector.broadcast(S, start[0]);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.broadcast(S, start[1]);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.broadcast(S, start[2]);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.broadcast(S, start[3]);
        FloatVector a31 = a30;
        FloatVector a40 = FloatVector.broadcast(S, start[4]);
        FloatVector a41 = a40;
        FloatVector a50 = FloatVector.broadcast(S, start[5]);
        FloatVector a51 = a50;
        FloatVector a60 = FloatVector.broadcast(S, start[6]);
        FloatVector a61 = a60;
        FloatVector a70 = FloatVector.broadcast(S, start[7]);
        FloatVector a71 = a70;
        for (int t = 0; t < offsets.length; t++) {
            int at = q0 + offsets[t];
            FloatVector x0 = FloatVector.fromArray(S, x, at);
            FloatVector x1 = FloatVector.fromArray(S, x, at + LANES);
            int wi = wAt + t * OB;
            FloatVector v = FloatVector.broadcast(S, wts[wi]);
            a00 = x0.fma(v, a00);
            a01 = x1.fma(v, a01);
            v = FloatVector.broadcast(S, wts[wi + 1]);
            a10 = x0.fma(v, a10);
            a11 = x1.fma(v, a11);
            v = FloatVector.broadcast(S, wts[wi + 2]);
            a20 = x0.fma(v, a20);
            a21 = x1.fma(v, a21);
            v = FloatVector.broadcast(S, wts[wi + 3]);
            a30 = x0.fma(v, a30);
            a31 = x1.fma(v, a31);
            v = FloatVector.broadcast(S, wts[wi + 4]);
            a40 = x0.fma(v, a40);
            a41 = x1.fma(v, a41);
            v = FloatVector.broadcast(S, wts[wi + 5]);
            a50 = x0.fma(v, a50);
            a51 = x1.fma(v, a51);
            v = FloatVector.broadcast(S, wts[wi + 6]);
            a60 = x0.fma(v, a60);
            a61 = x1.fma(v, a61);
            v = FloatVector.broadcast(S, wts[wi + 7]);
            a70 = x0.fma(v, a70);
            a71 = x1.fma(v, a71);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, LANES);
        a10.intoArray(tile, QB);
        a11.intoArray(tile, QB + LANES);
        a20.intoArray(tile, 2 * QB);
        a21.intoArray(tile, 2 * QB + LANES);
        a30.intoArray(tile, 3 * QB);
        a31.intoArray(tile, 3 * QB + LANES);
        a40.intoArray(tile, 4 * QB);
        a41.intoArray(tile, 4 * QB + LANES);
        a50.intoArray(tile, 5 * QB);
        a51.intoArray(tile, 5 * QB + LANES);
        a60.intoArray(tile, 6 * QB);
        a61.intoArray(tile, 6 * QB + LANES);
        a70.intoArray(tile, 7 * QB);
        a71.intoArray(tile, 7 * QB + LANES);
    }

    /** Rows j0 .. j0 + 3 of tile (OB, QB) = start + their sums: {@link #block8} for half the channels. */
    private static void block4(float[] x, int q0, int[] offsets, float[] wts, int wAt, int j0, float[] start,
                               float[] tile) {
        FloatVector a00 = FloatVector.broadcast(S, start[j0]);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.broadcast(S, start[j0 + 1]);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.broadcast(S, start[j0 + 2]);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.broadcast(S, start[j0 + 3]);
        FloatVector a31 = a30;
        for (int t = 0; t < offsets.length; t++) {
            int at = q0 + offsets[t];
            FloatVector x0 = FloatVector.fromArray(S, x, at);
            FloatVector x1 = FloatVector.fromArray(S, x, at + LANES);
            int wi = wAt + t * OB + j0;
            FloatVector v = FloatVector.broadcast(S, wts[wi]);
            a00 = x0.fma(v, a00);
            a01 = x1.fma(v, a01);
            v = FloatVector.broadcast(S, wts[wi + 1]);
            a10 = x0.fma(v, a10);
            a11 = x1.fma(v, a11);
            v = FloatVector.broadcast(S, wts[wi + 2]);
            a20 = x0.fma(v, a20);
            a21 = x1.fma(v, a21);
            v = FloatVector.broadcast(S, wts[wi + 3]);
            a30 = x0.fma(v, a30);
            a31 = x1.fma(v, a31);
        }
        int r = j0 * QB;
        a00.intoArray(tile, r);
        a01.intoArray(tile, r + LANES);
        a10.intoArray(tile, r + QB);
        a11.intoArray(tile, r + QB + LANES);
        a20.intoArray(tile, r + 2 * QB);
        a21.intoArray(tile, r + 2 * QB + LANES);
        a30.intoArray(tile, r + 3 * QB);
        a31.intoArray(tile, r + 3 * QB + LANES);
    }

    /** The tile's kept outputs (q &lt; rows * rowWidth, column &lt; cols, channel &lt; cout) into dst, a row's run at a time. */
    private static void store(float[] tile, int ob, int q0, int rows, int cols, int rowWidth, int cout, float[] dst,
                              int dstOff) {
        int plane = rows * cols;
        int end = Math.min(QB, rows * rowWidth - q0);
        for (int i = 0; i < end; ) {
            int row = (q0 + i) / rowWidth;
            int col = q0 + i - row * rowWidth;
            int run = Math.min(end - i, rowWidth - col); // to the end of this flat row
            int keep = Math.min(run, cols - col);
            for (int j = 0; keep > 0 && j < OB && ob * OB + j < cout; j++) {
                System.arraycopy(tile, j * QB + i, dst, dstOff + (ob * OB + j) * plane + row * cols + col, keep);
            }
            i += run;
        }
    }

    /** species' even lanes to its low half, odd lanes to its high half. */
    private static VectorShuffle<Float> split(VectorSpecies<Float> species) {
        int lanes = species.length();
        return VectorShuffle.fromOp(species, i -> i < lanes / 2 ? 2 * i : 2 * i - lanes + 1);
    }

    /** species' two halves exchanged. */
    private static VectorShuffle<Float> swap(VectorSpecies<Float> species) {
        int lanes = species.length();
        return VectorShuffle.fromOp(species, i -> (i + lanes / 2) % lanes);
    }

    /** species' high half. */
    private static VectorMask<Float> high(VectorSpecies<Float> species) {
        int lanes = species.length();
        return VectorMask.fromLong(species, (1L << lanes) - (1L << lanes / 2));
    }
}
