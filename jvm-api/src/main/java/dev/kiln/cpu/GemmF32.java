package dev.kiln.cpu;

import java.util.Arrays;

/**
 * Cache-blocked float32 GEMM behind {@link CpuGemm#sgemm}. B is packed into zero-padded groups of
 * U k-steps by one panel of columns (WIDE, then MID, NARROW or NARROW_PLUS and TINY for the rest), all at
 * once, or one panel at a time by the task that uses it when m fits one row block; A into zero-padded R x U
 * blocks per strip of R rows. Each task owns MC rows of one panel of C, accumulated over all of k in
 * private strips, then written back through C's strides (or a sink).
 *
 * <p>Why this shape: HotSpot C2 (JDK 17) vectorises the micro-kernel's j loop only when every
 * array index in it is j plus a constant, and gives up on bodies much larger than R * U = 15
 * multiply-adds. So a B group and an R-row C strip are each their own array, rows at constant
 * offsets; per vector of j the kernel loads U vectors of B and R of C and stores R for R * U FMAs
 * (5 x 3 measured best among 2..8 x 1..4 on the AVX-512 EPYC). Long j loops amortise the call and
 * the scalar pre/post loops C2 adds, hence wide panels, with narrow ones to limit padding.
 */
final class GemmF32 {
    /** Columns of a wide panel: the main micro-kernel's vector loop length. */
    static final int WIDE = 1024;
    /** Columns of a middle panel, used for the columns left after the wide panels. */
    static final int MID = WIDE / 2;
    /** Columns of a narrow panel, used for the columns left after the wide and middle panels. */
    static final int NARROW = 128;
    /** Columns of a tiny panel, used instead of a narrow one for the last few columns (conv2d weight gradients). */
    static final int TINY = 32;
    /**
     * Columns of a narrow panel with a tiny one's columns after it, used for the last narrow panel when
     * a few columns follow (n = 150: a 5x5 conv2d over 6 channels): a tiny panel costs about as much
     * as a narrow one (its loop is too short to amortise the kernel's call and scalar pre/post loops).
     */
    static final int NARROW_PLUS = NARROW + TINY;
    /** Rows of C per micro-kernel strip. */
    private static final int R = 5;
    /** k-steps per micro-kernel call (rows of a packed B group). */
    private static final int U = 3;
    /**
     * Groups per cache block of a wide panel: every strip of a task passes over a (4 * U, WIDE)
     * block of B (48 KiB, near the core in L1/L2) before the next block.
     */
    private static final int WIDE_GROUPS_PER_BLOCK = 4;
    /** As WIDE_GROUPS_PER_BLOCK for middle panels. */
    private static final int MID_GROUPS_PER_BLOCK = 2 * WIDE_GROUPS_PER_BLOCK;
    /** As WIDE_GROUPS_PER_BLOCK for narrow panels (24 KiB). */
    private static final int NARROW_GROUPS_PER_BLOCK = 16;
    /** As WIDE_GROUPS_PER_BLOCK for tiny panels (24 KiB). */
    private static final int TINY_GROUPS_PER_BLOCK = 64;
    /** Rows of C per task, a multiple of R (its strips, 260 KiB, stay in L2); 64 output channels fit one. */
    private static final int MC = R * 13;

    private GemmF32() {
    }

    /**
     * Writes B[p + q][j0 + j] to dst[q * width + j] for q &lt; count, j &lt; nc; dst is zero on entry. Lets a
     * caller pack B straight from its own layout (conv2d from the image, without an im2col matrix).
     */
    @FunctionalInterface
    interface GroupPacker {
        void pack(int p, int count, int j0, int nc, float[] dst, int width);
    }

    /**
     * Takes row i of C, columns [j0, j0 + nc), from src[from ..]. Lets a caller scatter C into its own
     * layout (conv2d's input gradient: col2im without a col matrix).
     */
    @FunctionalInterface
    interface RowSink {
        void take(int i, int j0, int nc, float[] src, int from);
    }

    /** C[i][j] at c[cOff + i * cRs + j * cCs]; m, n, k >= 1. */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                     int bCs, float[] c, int cOff, int cRs, int cCs, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRs, aCs, strided(b, bOff, bRs, bCs), c, cOff, cRs, cCs, accumulate);
    }

    /** As above with B (k, n) delivered by a packer. */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, GroupPacker b, float[] c, int cOff,
                     int cRs, int cCs, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRs, aCs, b, strided(c, cOff, cRs, cCs, accumulate), CpuGemm.parallel(m, n, k));
    }

    /** B read through strides, C handed to a sink (see below). */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                     int bCs, RowSink c, boolean parallel) {
        gemm(m, n, k, a, aOff, aRs, aCs, strided(b, bOff, bRs, bCs), c, parallel);
    }

    /**
     * As above with C handed row by row to a sink; tasks run one after another when not parallel (a
     * sink whose rows overlap in memory, called from a caller that is parallel already).
     */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, GroupPacker b, RowSink c,
                     boolean parallel) {
        if (CpuGemm.usesVectorApi()) {
            GemmF32Vector.gemm(m, n, k, a, aOff, aRs, aCs, b, c, parallel);
            return;
        }
        int groups = (k + U - 1) / U;
        GemmF32Panels panels = GemmF32Panels.of(n);
        int rowBlocks = rowBlocks(m, panels.count(), parallel);
        // one row block: each panel serves one task, which packs it just before use into a buffer that
        // its thread reuses (hot in cache; B packed whole up front would stream through memory twice)
        boolean packInTask = rowBlocks == 1;
        float[][] packedB = packInTask ? null : packB(k, n, b, groups, panels);
        float[][] packedA = packA(m, k, a, aOff, aRs, aCs, groups);
        // rows split evenly over the blocks (in whole strips), so no task sweeps B for a few rows
        int blockRows = ((m + rowBlocks - 1) / rowBlocks + R - 1) / R * R;
        // tasks in panel-major order, so a thread's consecutive tasks reuse one B panel
        int tasks = rowBlocks * panels.count();
        int stripSize = R * panels.widest();
        Parallel.Range body = (t0, t1) -> {
            Scratch scratch = SCRATCH.get();
            boolean own = !scratch.inUse; // a sink or packer that multiplies again gets buffers of its own
            Scratch buffers = own ? scratch : new Scratch();
            scratch.inUse = true;
            try {
                float[][] strips = buffers.strips(blockRows / R, stripSize);
                float[][] panelB = packInTask ? buffers.groups(groups, U * panels.widest()) : null;
                for (int task = t0; task < t1; task++) {
                    int panel = task / rowBlocks;
                    int i0 = (task % rowBlocks) * blockRows;
                    int mc = Math.min(blockRows, m - i0);
                    if (mc <= 0) {
                        continue;
                    }
                    int nStrips = (mc + R - 1) / R;
                    int width = panels.width()[panel];
                    int perBlock = width == WIDE ? WIDE_GROUPS_PER_BLOCK : width == MID ? MID_GROUPS_PER_BLOCK
                            : width == TINY ? TINY_GROUPS_PER_BLOCK : NARROW_GROUPS_PER_BLOCK;
                    for (int s = 0; s < nStrips; s++) {
                        Arrays.fill(strips[s], 0, R * width, 0f);
                    }
                    if (packInTask) {
                        for (int g = 0; g < groups; g++) {
                            Arrays.fill(panelB[g], 0, U * width, 0f);
                            packGroup(k, n, b, g, panels.start()[panel], width, panelB[g]);
                        }
                    }
                    for (int g0 = 0; g0 < groups; g0 += perBlock) {
                        int g1 = Math.min(groups, g0 + perBlock);
                        for (int s = 0; s < nStrips; s++) {
                            float[] strip = strips[s];
                            float[] stripA = packedA[i0 / R + s];
                            for (int g = g0; g < g1; g++) {
                                float[] group = packInTask ? panelB[g] : packedB[panel * groups + g];
                                if (width == WIDE) {
                                    kernelWide(strip, group, stripA, g * R * U);
                                } else if (width == MID) {
                                    kernelMid(strip, group, stripA, g * R * U);
                                } else if (width == NARROW) {
                                    kernelNarrow(strip, group, stripA, g * R * U);
                                } else if (width == NARROW_PLUS) {
                                    kernelNarrowPlus(strip, group, stripA, g * R * U);
                                } else {
                                    kernelTiny(strip, group, stripA, g * R * U);
                                }
                            }
                        }
                    }
                    int j0 = panels.start()[panel];
                    for (int i = 0; i < mc; i++) {
                        c.take(i0 + i, j0, Math.min(width, n - j0), strips[i / R], (i % R) * width);
                    }
                }
            } finally {
                scratch.inUse = !own;
            }
        };
        if (parallel) {
            Parallel.forRange(tasks, 1, body);
        } else {
            body.run(0, tasks);
        }
    }

    /** strip (R, WIDE) += A block (R, U) at a[ao ..] times group (U, WIDE). */
    private static void kernelWide(float[] strip, float[] group, float[] a, int ao) {
        float a00 = a[ao];
        float a01 = a[ao + 1];
        float a02 = a[ao + 2];
        float a10 = a[ao + 3];
        float a11 = a[ao + 4];
        float a12 = a[ao + 5];
        float a20 = a[ao + 6];
        float a21 = a[ao + 7];
        float a22 = a[ao + 8];
        float a30 = a[ao + 9];
        float a31 = a[ao + 10];
        float a32 = a[ao + 11];
        float a40 = a[ao + 12];
        float a41 = a[ao + 13];
        float a42 = a[ao + 14];
        for (int j = 0; j < WIDE; j++) {
            float b0 = group[j];
            float b1 = group[WIDE + j];
            float b2 = group[2 * WIDE + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[WIDE + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[WIDE + j])));
            strip[2 * WIDE + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * WIDE + j])));
            strip[3 * WIDE + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * WIDE + j])));
            strip[4 * WIDE + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * WIDE + j])));
        }
    }

    /** strip (R, MID) += A block (R, U) at a[ao ..] times group (U, MID). */
    private static void kernelMid(float[] strip, float[] group, float[] a, int ao) {
        float a00 = a[ao];
        float a01 = a[ao + 1];
        float a02 = a[ao + 2];
        float a10 = a[ao + 3];
        float a11 = a[ao + 4];
        float a12 = a[ao + 5];
        float a20 = a[ao + 6];
        float a21 = a[ao + 7];
        float a22 = a[ao + 8];
        float a30 = a[ao + 9];
        float a31 = a[ao + 10];
        float a32 = a[ao + 11];
        float a40 = a[ao + 12];
        float a41 = a[ao + 13];
        float a42 = a[ao + 14];
        for (int j = 0; j < MID; j++) {
            float b0 = group[j];
            float b1 = group[MID + j];
            float b2 = group[2 * MID + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[MID + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[MID + j])));
            strip[2 * MID + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * MID + j])));
            strip[3 * MID + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * MID + j])));
            strip[4 * MID + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * MID + j])));
        }
    }

    /** strip (R, NARROW) += A block (R, U) at a[ao ..] times group (U, NARROW). */
    private static void kernelNarrow(float[] strip, float[] group, float[] a, int ao) {
        float a00 = a[ao];
        float a01 = a[ao + 1];
        float a02 = a[ao + 2];
        float a10 = a[ao + 3];
        float a11 = a[ao + 4];
        float a12 = a[ao + 5];
        float a20 = a[ao + 6];
        float a21 = a[ao + 7];
        float a22 = a[ao + 8];
        float a30 = a[ao + 9];
        float a31 = a[ao + 10];
        float a32 = a[ao + 11];
        float a40 = a[ao + 12];
        float a41 = a[ao + 13];
        float a42 = a[ao + 14];
        for (int j = 0; j < NARROW; j++) {
            float b0 = group[j];
            float b1 = group[NARROW + j];
            float b2 = group[2 * NARROW + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[NARROW + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[NARROW + j])));
            strip[2 * NARROW + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * NARROW + j])));
            strip[3 * NARROW + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * NARROW + j])));
            strip[4 * NARROW + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * NARROW + j])));
        }
    }

    /** strip (R, NARROW_PLUS) += A block (R, U) at a[ao ..] times group (U, NARROW_PLUS). */
    private static void kernelNarrowPlus(float[] strip, float[] group, float[] a, int ao) {
        float a00 = a[ao];
        float a01 = a[ao + 1];
        float a02 = a[ao + 2];
        float a10 = a[ao + 3];
        float a11 = a[ao + 4];
        float a12 = a[ao + 5];
        float a20 = a[ao + 6];
        float a21 = a[ao + 7];
        float a22 = a[ao + 8];
        float a30 = a[ao + 9];
        float a31 = a[ao + 10];
        float a32 = a[ao + 11];
        float a40 = a[ao + 12];
        float a41 = a[ao + 13];
        float a42 = a[ao + 14];
        for (int j = 0; j < NARROW_PLUS; j++) {
            float b0 = group[j];
            float b1 = group[NARROW_PLUS + j];
            float b2 = group[2 * NARROW_PLUS + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[NARROW_PLUS + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[NARROW_PLUS + j])));
            strip[2 * NARROW_PLUS + j] = Math.fma(a22, b2, Math.fma(a21, b1,
                    Math.fma(a20, b0, strip[2 * NARROW_PLUS + j])));
            strip[3 * NARROW_PLUS + j] = Math.fma(a32, b2, Math.fma(a31, b1,
                    Math.fma(a30, b0, strip[3 * NARROW_PLUS + j])));
            strip[4 * NARROW_PLUS + j] = Math.fma(a42, b2, Math.fma(a41, b1,
                    Math.fma(a40, b0, strip[4 * NARROW_PLUS + j])));
        }
    }

    /** strip (R, TINY) += A block (R, U) at a[ao ..] times group (U, TINY). */
    private static void kernelTiny(float[] strip, float[] group, float[] a, int ao) {
        float a00 = a[ao];
        float a01 = a[ao + 1];
        float a02 = a[ao + 2];
        float a10 = a[ao + 3];
        float a11 = a[ao + 4];
        float a12 = a[ao + 5];
        float a20 = a[ao + 6];
        float a21 = a[ao + 7];
        float a22 = a[ao + 8];
        float a30 = a[ao + 9];
        float a31 = a[ao + 10];
        float a32 = a[ao + 11];
        float a40 = a[ao + 12];
        float a41 = a[ao + 13];
        float a42 = a[ao + 14];
        for (int j = 0; j < TINY; j++) {
            float b0 = group[j];
            float b1 = group[TINY + j];
            float b2 = group[2 * TINY + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[TINY + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[TINY + j])));
            strip[2 * TINY + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * TINY + j])));
            strip[3 * TINY + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * TINY + j])));
            strip[4 * TINY + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * TINY + j])));
        }
    }

    /** Floats a thread keeps in its scratch between products; larger buffers are allocated per call. */
    private static final int SCRATCH_LIMIT = 1 << 20;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A thread's task buffers (strips of C, a panel of packed B groups), reused from one product to the
     * next: tasks then cost no allocation (and no zeroing by the JVM), so loops can be cut finely.
     * Callers fill what they use.
     */
    private static final class Scratch {
        private float[][] strips = new float[0][];
        private float[][] groups = new float[0][];
        /** Set while a task of this thread uses the buffers. */
        boolean inUse;

        /** count arrays of at least size floats (kept for the next product unless large). */
        float[][] strips(int count, int size) {
            if (!fits(strips, count, size)) {
                float[][] fresh = new float[count][size];
                strips = keep(count, size) ? fresh : strips;
                return fresh;
            }
            return strips;
        }

        /** As {@link #strips}, for packed B groups. */
        float[][] groups(int count, int size) {
            if (!fits(groups, count, size)) {
                float[][] fresh = new float[count][size];
                groups = keep(count, size) ? fresh : groups;
                return fresh;
            }
            return groups;
        }

        private static boolean fits(float[][] have, int count, int size) {
            return have.length >= count && (count == 0 || have[0].length >= size);
        }

        private static boolean keep(int count, int size) {
            return (long) count * size <= SCRATCH_LIMIT;
        }
    }

    /**
     * Blocks of MC rows; more (in whole strips) when that leaves a thread without a task: a small
     * product one panel wide would otherwise run on one thread.
     */
    private static int rowBlocks(int m, int panels, boolean parallel) {
        int blocks = (m + MC - 1) / MC;
        if (parallel && blocks * panels < Parallel.threads()) {
            blocks = Math.min((m + R - 1) / R, (Parallel.threads() + panels - 1) / panels);
        }
        return blocks;
    }

    /** B (k, n) -> one (U, width) array per panel and group, zero beyond k and n, at [panel * groups + g]. */
    private static float[][] packB(int k, int n, GroupPacker b, int groups, GemmF32Panels panels) {
        float[][] packed = new float[panels.count() * groups][];
        Parallel.forRange(panels.count() * groups, 64, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int panel = s / groups;
                packed[s] = new float[U * panels.width()[panel]];
                packGroup(k, n, b, s % groups, panels.start()[panel], panels.width()[panel], packed[s]);
            }
        });
        return packed;
    }

    /** Group g of the panel of columns [j0, j0 + width) of B (k, n) into dst (U, width), zero on entry. */
    private static void packGroup(int k, int n, GroupPacker b, int g, int j0, int width, float[] dst) {
        int p = g * U;
        b.pack(p, Math.min(U, k - p), j0, Math.min(width, n - j0), dst, width);
    }

    /** B[p][j] = b[bOff + p * bRs + j * bCs]. */
    private static GroupPacker strided(float[] b, int bOff, int bRs, int bCs) {
        return (p, count, j0, nc, dst, width) -> {
            if (bRs == 1 && bCs != 1) {
                // transposed B: each column gives the group its count consecutive k values
                for (int j = 0; j < nc; j++) {
                    int src = bOff + (j0 + j) * bCs + p;
                    for (int q = 0; q < count; q++) {
                        dst[q * width + j] = b[src + q];
                    }
                }
                return;
            }
            for (int q = 0; q < count; q++) {
                int src = bOff + (p + q) * bRs + j0 * bCs;
                if (bCs == 1) {
                    System.arraycopy(b, src, dst, q * width, nc);
                } else {
                    for (int j = 0; j < nc; j++) {
                        dst[q * width + j] = b[src + j * bCs];
                    }
                }
            }
        };
    }

    /** A (m, k) -> one array per strip of R rows: blocks (R, U) at [(g * R + i) * U + q], zero beyond m and k. */
    private static float[][] packA(int m, int k, float[] a, int aOff, int aRs, int aCs, int groups) {
        float[][] packed = new float[(m + R - 1) / R][];
        Parallel.forRange(packed.length, 16, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                float[] dst = new float[groups * R * U];
                for (int i = 0; i < R && s * R + i < m; i++) {
                    int src = aOff + (s * R + i) * aRs;
                    for (int g = 0; g < groups; g++) {
                        int at = (g * R + i) * U;
                        for (int q = 0; q < U && g * U + q < k; q++) {
                            dst[at + q] = a[src + (g * U + q) * aCs];
                        }
                    }
                }
                packed[s] = dst;
            }
        });
        return packed;
    }

    /** C[i][j] at c[cOff + i * cRs + j * cCs], overwritten or accumulated. */
    private static RowSink strided(float[] c, int cOff, int cRs, int cCs, boolean accumulate) {
        return (i, j0, nc, src, from) -> {
            int base = cOff + i * cRs + j0 * cCs;
            if (cCs == 1 && !accumulate) {
                System.arraycopy(src, from, c, base, nc);
            } else if (cCs == 1) {
                for (int j = 0; j < nc; j++) {
                    c[base + j] += src[from + j];
                }
            } else {
                for (int j = 0; j < nc; j++) {
                    int at = base + j * cCs;
                    c[at] = accumulate ? c[at] + src[from + j] : src[from + j];
                }
            }
        };
    }
}
