package dev.kiln.cpu;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 input gradient of strided convolutions, directly on the Vector API (stride 1 is
 * {@link DirectConvF32Vector#backwardInput}'s). With stride s and dilation d, padded input row Y = s i + a takes gy row
 * i - m from kernel row ky exactly when ky d = s m + a: so the rows of one phase a (Y % s) are a stride-1 correlation
 * of gy with the kernel rows of that phase alone, and likewise the columns. The s_h s_w phases together do exactly
 * the useful multiply-adds, where a zero-inserted transposed convolution does s_h s_w times as many and im2col + GEMM
 * + col2im writes and reads a column matrix kh kw times gx's size. Each image's gy is padded once (top and left by the
 * largest m), every phase correlated into a dense scratch by {@link DirectConvF32Vector#correlate}, and the phases
 * interleaved into gx, row by row (at stride 2 across, a row's two phases by vector pairs).
 */
final class StridedInputGradF32Vector {
    private static final VectorSpecies<Float> S = GemmF32Tiles.S;
    private static final int LANES = GemmF32Tiles.LANES;
    /** Lane k takes lane k / 2: a vector's low half spread over the even and odd lanes. */
    private static final VectorShuffle<Float> LOW = VectorShuffle.fromOp(S, k -> k / 2);
    /** Lane k takes lane LANES / 2 + k / 2: the high half spread. */
    private static final VectorShuffle<Float> HIGH = VectorShuffle.fromOp(S, k -> LANES / 2 + k / 2);
    /** The odd lanes. */
    private static final VectorMask<Float> ODD = VectorMask.fromLong(S, 0xAAAA_AAAA_AAAA_AAAAL & ((1L << LANES) - 1));

    private StridedInputGradF32Vector() {
    }

    /**
     * Phase (a, b) of gx: rows y0 + s_h i', columns x0 + s_w j' (i' &lt; rows, j' &lt; cols); its taps' flat offsets
     * in the padded gy, and where its (cg, rows, cols) block starts in the scratch.
     */
    private record Phase(int rows, int cols, int y0, int x0, int[] offsets, int[] taps, int at) {
    }

    /** gx (n, c, h, w) = the input gradient of conv2d for gy (n, o, oh, ow) and w, at a stride above 1. */
    static void backwardInput(ConvGeometry g, float[] gy, int gyOff, float[] w, int wOff, float[] gx, boolean wide) {
        int sh = g.p().strideH();
        int sw = g.p().strideW();
        int top = (g.kh() - 1) * g.p().dilationH() / sh; // the largest m: gy's padding on top
        int left = (g.kw() - 1) * g.p().dilationW() / sw;
        int height = extent(g.oh(), top, g.h(), g.p().padH(), sh);
        int width = extent(g.ow(), left, g.w(), g.p().padW(), sw);
        int plane = height * width;
        List<Phase> phases = new ArrayList<>();
        int scratch = 0;
        int reads = g.og() * plane;
        for (int a = 0; a < sh; a++) {
            for (int b = 0; b < sw; b++) {
                Phase phase = phase(g, a, b, top, left, width, plane, scratch);
                if (phase.rows() > 0 && phase.cols() > 0) {
                    phases.add(phase);
                    scratch += g.cg() * phase.rows() * phase.cols();
                    int blocks = (phase.rows() * width + DirectConvF32Vector.QB - 1) / DirectConvF32Vector.QB;
                    reads = Math.max(reads, blocks * DirectConvF32Vector.QB + reach(phase.offsets()));
                }
            }
        }
        int kk = g.kh() * g.kw();
        float[][][] packed = new float[g.groups()][phases.size()][];
        for (int grp = 0; grp < g.groups(); grp++) {
            int base = wOff + grp * g.og() * g.colRows();
            for (int k = 0; k < phases.size(); k++) {
                int[] taps = phases.get(k).taps(); // (co, ky, kx) as co * kk + ky * kw + kx
                // gx channel ci takes gy channel co through w[co][ci][ky][kx]
                packed[grp][k] = DirectConvF32Vector.pack(g.cg(), taps.length,
                        (ci, t) -> w[base + taps[t] / kk * g.colRows() + ci * kk + taps[t] % kk]);
            }
        }
        int bufferSize = reads;
        int scratchSize = scratch;
        Parallel.forRange(g.n() * g.groups(), 1, (t0, t1) -> {
            float[] buffer = new float[bufferSize]; // borders never written: zero
            float[] dense = new float[scratchSize]; // phases without taps never written: zero
            for (int t = t0; t < t1; t++) {
                int img = t / g.groups();
                int grp = t % g.groups();
                int from = gyOff + (img * g.o() + grp * g.og()) * g.outPlane();
                for (int co = 0; co < g.og(); co++) {
                    for (int r = 0; r < g.oh(); r++) {
                        System.arraycopy(gy, from + (co * g.oh() + r) * g.ow(), buffer, co * plane + (top + r) * width + left,
                                g.ow());
                    }
                }
                for (int k = 0; k < phases.size(); k++) {
                    Phase phase = phases.get(k);
                    if (phase.offsets().length > 0) {
                        DirectConvF32Vector.correlate(buffer, phase.offsets(), phase.rows(), phase.cols(), width, g.cg(),
                                packed[grp][k], null, 0, dense, phase.at(), wide);
                    }
                }
                interleave(g, phases, dense, gx, (img * g.c() + grp * g.cg()) * g.inPlane());
            }
        });
    }

    /**
     * Rows (columns) of the padded gy: its out rows after the top padding, and at least up to every phase's last
     * output row, which reads there.
     */
    private static int extent(int out, int top, int size, int pad, int s) {
        int rows = top + out;
        for (int a = 0; a < s; a++) {
            rows = Math.max(rows, top + last(size, pad, a, s) + 1);
        }
        return rows;
    }

    /** The last phase row (column) i with s i + a - pad inside [0, size), or -1 where there is none. */
    private static int last(int size, int pad, int a, int s) {
        return Math.max(-1, Math.floorDiv(size - 1 + pad - a, s));
    }

    /** Phase (a, b) of g on the padded gy (planes of width columns), its block at the scratch's at. */
    private static Phase phase(ConvGeometry g, int a, int b, int top, int left, int width, int plane, int at) {
        int sh = g.p().strideH();
        int sw = g.p().strideW();
        int dh = g.p().dilationH();
        int dw = g.p().dilationW();
        int i0 = Math.floorDiv(g.p().padH() - a + sh - 1, sh); // the first phase row inside gx
        int j0 = Math.floorDiv(g.p().padW() - b + sw - 1, sw);
        int rows = last(g.h(), g.p().padH(), a, sh) - i0 + 1;
        int cols = last(g.w(), g.p().padW(), b, sw) - j0 + 1;
        List<int[]> taps = new ArrayList<>(); // {co, ky, kx}
        for (int co = 0; co < g.og(); co++) {
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    if (ky * dh % sh == a && kx * dw % sw == b) {
                        taps.add(new int[] {co, ky, kx});
                    }
                }
            }
        }
        int[] offsets = new int[taps.size()];
        int[] codes = new int[taps.size()];
        for (int t = 0; t < offsets.length; t++) {
            int[] tap = taps.get(t);
            // output (i0 + i', j0 + j') reads gy (i0 + i' - m, j0 + j' - n), m = ky dh / sh, n = kx dw / sw
            offsets[t] = tap[0] * plane + (i0 - tap[1] * dh / sh + top) * width + j0 - tap[2] * dw / sw + left;
            codes[t] = (tap[0] * g.kh() + tap[1]) * g.kw() + tap[2];
        }
        return new Phase(rows, cols, sh * i0 + a - g.p().padH(), sw * j0 + b - g.p().padW(), offsets, codes, at);
    }

    private static int reach(int[] offsets) {
        int most = 0;
        for (int offset : offsets) {
            most = Math.max(most, offset);
        }
        return most;
    }

    /**
     * gx's cg planes at gx[at ..] from the phases' dense blocks: row y from phase rows (y - y0) / s_h of the phases
     * with y0 = y mod s_h (the first rows are y0 = 0 .. s_h - 1), columns likewise.
     */
    private static void interleave(ConvGeometry g, List<Phase> phases, float[] dense, float[] gx, int at) {
        int sh = g.p().strideH();
        int sw = g.p().strideW();
        int h = g.h();
        int w = g.w();
        int end = at + g.cg() * h * w; // this task's part of gx
        Phase[] byFirst = new Phase[sh * sw]; // [y0 * sw + x0]: where gx row y0, column x0 starts
        for (Phase phase : phases) {
            byFirst[phase.y0() * sw + phase.x0()] = phase;
        }
        for (int ci = 0; ci < g.cg(); ci++) {
            for (int y = 0; y < h; y++) {
                int row = at + (ci * h + y) * w;
                int y0 = y % sh;
                if (sw == 2 && byFirst[y0 * 2] != null && byFirst[y0 * 2 + 1] != null) {
                    Phase even = byFirst[y0 * 2];
                    Phase odd = byFirst[y0 * 2 + 1];
                    pairs(dense, even.at() + (ci * even.rows() + y / sh) * even.cols(),
                            odd.at() + (ci * odd.rows() + y / sh) * odd.cols(), w, gx, row, end);
                    continue;
                }
                for (int x0 = 0; x0 < sw; x0++) {
                    Phase phase = byFirst[y0 * sw + x0];
                    if (phase == null) { // no gy reaches these columns (a kernel narrower than the stride)
                        for (int x = x0; x < w; x += sw) {
                            gx[row + x] = 0;
                        }
                        continue;
                    }
                    int src = phase.at() + (ci * phase.rows() + y / sh) * phase.cols();
                    for (int j = 0; j < phase.cols(); j++) {
                        gx[row + x0 + sw * j] = dense[src + j];
                    }
                }
            }
        }
    }

    /**
     * gx[row + 2 j] = dense[even + j], gx[row + 2 j + 1] = dense[odd + j] for the row's w columns: whole vector
     * pairs where their stores stay below end (the cells past the row are later rows' of this task, written after)
     * and their loads inside dense; else one at a time.
     */
    private static void pairs(float[] dense, int even, int odd, int w, float[] gx, int row, int end) {
        int evens = (w + 1) / 2;
        int odds = w / 2;
        int span = (evens + LANES - 1) / LANES * LANES;
        if (row + 2 * span <= end && even + span <= dense.length && odd + span <= dense.length) {
            for (int j = 0; j < span; j += LANES) {
                FloatVector e = FloatVector.fromArray(S, dense, even + j);
                FloatVector o = FloatVector.fromArray(S, dense, odd + j);
                e.rearrange(LOW).blend(o.rearrange(LOW), ODD).intoArray(gx, row + 2 * j);
                e.rearrange(HIGH).blend(o.rearrange(HIGH), ODD).intoArray(gx, row + 2 * j + LANES);
            }
            return;
        }
        for (int j = 0; j < odds; j++) {
            gx[row + 2 * j] = dense[even + j];
            gx[row + 2 * j + 1] = dense[odd + j];
        }
        if (evens > odds) {
            gx[row + 2 * odds] = dense[even + odds];
        }
    }
}
