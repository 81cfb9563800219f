package dev.kiln.cpu;

import java.util.Arrays;

/**
 * Cache-blocked float64 GEMM behind {@link CpuGemm#dgemm}. B is packed once into zero-padded
 * groups of U k-steps by one panel of columns (WIDE, then MID and NARROW for the rest); A into
 * zero-padded R x U blocks per strip of R rows. Each task owns MC rows of one panel of C,
 * accumulated over all of k in private strips, then written back through C's strides (or a sink).
 *
 * <p>Why this shape: HotSpot C2 (JDK 17) vectorises the micro-kernel's j loop only when every
 * array index in it is j plus a constant, and gives up on bodies much larger than R * U = 15
 * multiply-adds. So a B group and an R-row C strip are each their own array, rows at constant
 * offsets; per vector of j the kernel loads U vectors of B and R of C and stores R for R * U FMAs
 * (5 x 3 measured best among 2..8 x 1..4 on the AVX-512 EPYC). Long j loops amortise the call and
 * the scalar pre/post loops C2 adds, hence wide panels, with narrow ones to limit padding.
 */
final class GemmF64 {
    /** Columns of a wide panel: the main micro-kernel's vector loop length. */
    static final int WIDE = 512;
    /** Columns of a middle panel, used for the columns left after the wide panels. */
    static final int MID = WIDE / 2;
    /** Columns of a narrow panel, used for the columns left after the wide and middle panels. */
    static final int NARROW = 128;
    /** Rows of C per micro-kernel strip. */
    private static final int R = 5;
    /** k-steps per micro-kernel call (rows of a packed B group). */
    private static final int U = 3;
    /**
     * Groups per cache block of a wide panel: every strip of a task passes over a (2 * U, WIDE)
     * block of B (24 KiB, near the core in L1/L2) before the next block.
     */
    private static final int WIDE_GROUPS_PER_BLOCK = 2;
    /** As WIDE_GROUPS_PER_BLOCK for middle panels. */
    private static final int MID_GROUPS_PER_BLOCK = 2 * WIDE_GROUPS_PER_BLOCK;
    /** As WIDE_GROUPS_PER_BLOCK for narrow panels (24 KiB). */
    private static final int NARROW_GROUPS_PER_BLOCK = 8;
    /** Rows of C per task, a multiple of R (its strips, 260 KiB, stay in L2); 64 output channels fit one. */
    private static final int MC = R * 13;

    private GemmF64() {
    }

    /** Column panels of C: panel p covers [start[p], start[p] + width[p]) padded to width[p]. */
    private record Panels(int[] start, int[] width) {
        static Panels of(int n) {
            int rest = n;
            int wide = rest / WIDE;
            rest -= wide * WIDE;
            if (rest > WIDE - NARROW) { // would need as many narrow panels as fit a wide one
                wide++;
                rest = 0;
            }
            int mid = rest / MID;
            rest -= mid * MID;
            if (rest > MID - NARROW) {
                mid++;
                rest = 0;
            }
            int narrow = (rest + NARROW - 1) / NARROW;
            int[] start = new int[wide + mid + narrow];
            int[] width = new int[start.length];
            for (int p = 0; p < start.length; p++) {
                width[p] = p < wide ? WIDE : p < wide + mid ? MID : NARROW;
                start[p] = p == 0 ? 0 : start[p - 1] + width[p - 1];
            }
            return new Panels(start, width);
        }

        int count() {
            return start.length;
        }
    }

    /**
     * Writes B[p + q][j0 + j] to dst[q * width + j] for q &lt; count, j &lt; nc; dst is zero on entry. Lets a
     * caller pack B straight from its own layout (conv2d from the image, without an im2col matrix).
     */
    @FunctionalInterface
    interface GroupPacker {
        void pack(int p, int count, int j0, int nc, double[] dst, int width);
    }

    /**
     * Takes row i of C, columns [j0, j0 + nc), from src[from ..]. Lets a caller scatter C into its own
     * layout (conv2d's input gradient: col2im without a col matrix).
     */
    @FunctionalInterface
    interface RowSink {
        void take(int i, int j0, int nc, double[] src, int from);
    }

    /** C[i][j] at c[cOff + i * cRs + j * cCs]; m, n, k >= 1. */
    static void gemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, double[] b, int bOff, int bRs,
                     int bCs, double[] c, int cOff, int cRs, int cCs, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRs, aCs, strided(b, bOff, bRs, bCs), c, cOff, cRs, cCs, accumulate);
    }

    /** As above with B (k, n) delivered by a packer. */
    static void gemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, GroupPacker b, double[] c, int cOff,
                     int cRs, int cCs, boolean accumulate) {
        gemm(m, n, k, a, aOff, aRs, aCs, b, strided(c, cOff, cRs, cCs, accumulate), CpuGemm.parallel(m, n, k));
    }

    /** B read through strides, C handed to a sink (see below). */
    static void gemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, double[] b, int bOff, int bRs,
                     int bCs, RowSink c, boolean parallel) {
        gemm(m, n, k, a, aOff, aRs, aCs, strided(b, bOff, bRs, bCs), c, parallel);
    }

    /**
     * As above with C handed row by row to a sink; tasks run one after another when not parallel (a
     * sink whose rows overlap in memory, called from a caller that is parallel already).
     */
    static void gemm(int m, int n, int k, double[] a, int aOff, int aRs, int aCs, GroupPacker b, RowSink c,
                     boolean parallel) {
        int groups = (k + U - 1) / U;
        Panels panels = Panels.of(n);
        double[][] packedB = packB(k, n, b, groups, panels);
        double[][] packedA = packA(m, k, a, aOff, aRs, aCs, groups);
        int rowBlocks = rowBlocks(m, panels.count(), parallel);
        // rows split evenly over the blocks (in whole strips), so no task sweeps B for a few rows
        int blockRows = ((m + rowBlocks - 1) / rowBlocks + R - 1) / R * R;
        // tasks in panel-major order, so a thread's consecutive tasks reuse one B panel
        int tasks = rowBlocks * panels.count();
        // panels run wide to narrow, so the first is the widest a task needs
        int stripSize = R * panels.width()[0];
        Parallel.Range body = (t0, t1) -> {
            double[][] strips = new double[blockRows / R][stripSize];
            for (int task = t0; task < t1; task++) {
                int panel = task / rowBlocks;
                int i0 = (task % rowBlocks) * blockRows;
                int mc = Math.min(blockRows, m - i0);
                if (mc <= 0) {
                    continue;
                }
                int nStrips = (mc + R - 1) / R;
                int width = panels.width()[panel];
                int perBlock = width == WIDE ? WIDE_GROUPS_PER_BLOCK
                        : width == MID ? MID_GROUPS_PER_BLOCK : NARROW_GROUPS_PER_BLOCK;
                for (int s = 0; s < nStrips; s++) {
                    Arrays.fill(strips[s], 0, R * width, 0.0);
                }
                for (int g0 = 0; g0 < groups; g0 += perBlock) {
                    int g1 = Math.min(groups, g0 + perBlock);
                    for (int s = 0; s < nStrips; s++) {
                        double[] strip = strips[s];
                        double[] stripA = packedA[i0 / R + s];
                        for (int g = g0; g < g1; g++) {
                            double[] group = packedB[panel * groups + g];
                            if (width == WIDE) {
                                kernelWide(strip, group, stripA, g * R * U);
                            } else if (width == MID) {
                                kernelMid(strip, group, stripA, g * R * U);
                            } else {
                                kernelNarrow(strip, group, stripA, g * R * U);
                            }
                        }
                    }
                }
                int j0 = panels.start()[panel];
                for (int i = 0; i < mc; i++) {
                    c.take(i0 + i, j0, Math.min(width, n - j0), strips[i / R], (i % R) * width);
                }
            }
        };
        if (parallel) {
            Parallel.forRange(tasks, 1, body);
        } else {
            body.run(0, tasks);
        }
    }

    /** strip (R, WIDE) += A block (R, U) at a[ao ..] times group (U, WIDE). */
    private static void kernelWide(double[] strip, double[] group, double[] a, int ao) {
        double a00 = a[ao];
        double a01 = a[ao + 1];
        double a02 = a[ao + 2];
        double a10 = a[ao + 3];
        double a11 = a[ao + 4];
        double a12 = a[ao + 5];
        double a20 = a[ao + 6];
        double a21 = a[ao + 7];
        double a22 = a[ao + 8];
        double a30 = a[ao + 9];
        double a31 = a[ao + 10];
        double a32 = a[ao + 11];
        double a40 = a[ao + 12];
        double a41 = a[ao + 13];
        double a42 = a[ao + 14];
        for (int j = 0; j < WIDE; j++) {
            double b0 = group[j];
            double b1 = group[WIDE + j];
            double b2 = group[2 * WIDE + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[WIDE + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[WIDE + j])));
            strip[2 * WIDE + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * WIDE + j])));
            strip[3 * WIDE + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * WIDE + j])));
            strip[4 * WIDE + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * WIDE + j])));
        }
    }

    /** strip (R, MID) += A block (R, U) at a[ao ..] times group (U, MID). */
    private static void kernelMid(double[] strip, double[] group, double[] a, int ao) {
        double a00 = a[ao];
        double a01 = a[ao + 1];
        double a02 = a[ao + 2];
        double a10 = a[ao + 3];
        double a11 = a[ao + 4];
        double a12 = a[ao + 5];
        double a20 = a[ao + 6];
        double a21 = a[ao + 7];
        double a22 = a[ao + 8];
        double a30 = a[ao + 9];
        double a31 = a[ao + 10];
        double a32 = a[ao + 11];
        double a40 = a[ao + 12];
        double a41 = a[ao + 13];
        double a42 = a[ao + 14];
        for (int j = 0; j < MID; j++) {
            double b0 = group[j];
            double b1 = group[MID + j];
            double b2 = group[2 * MID + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[MID + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[MID + j])));
            strip[2 * MID + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * MID + j])));
            strip[3 * MID + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * MID + j])));
            strip[4 * MID + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * MID + j])));
        }
    }

    /** strip (R, NARROW) += A block (R, U) at a[ao ..] times group (U, NARROW). */
    private static void kernelNarrow(double[] strip, double[] group, double[] a, int ao) {
        double a00 = a[ao];
        double a01 = a[ao + 1];
        double a02 = a[ao + 2];
        double a10 = a[ao + 3];
        double a11 = a[ao + 4];
        double a12 = a[ao + 5];
        double a20 = a[ao + 6];
        double a21 = a[ao + 7];
        double a22 = a[ao + 8];
        double a30 = a[ao + 9];
        double a31 = a[ao + 10];
        double a32 = a[ao + 11];
        double a40 = a[ao + 12];
        double a41 = a[ao + 13];
        double a42 = a[ao + 14];
        for (int j = 0; j < NARROW; j++) {
            double b0 = group[j];
            double b1 = group[NARROW + j];
            double b2 = group[2 * NARROW + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[NARROW + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[NARROW + j])));
            strip[2 * NARROW + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * NARROW + j])));
            strip[3 * NARROW + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * NARROW + j])));
            strip[4 * NARROW + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * NARROW + j])));
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
    private static double[][] packB(int k, int n, GroupPacker b, int groups, Panels panels) {
        double[][] packed = new double[panels.count() * groups][];
        Parallel.forRange(panels.count() * groups, 64, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int panel = s / groups;
                int width = panels.width()[panel];
                int j0 = panels.start()[panel];
                int p = (s % groups) * U;
                double[] dst = new double[U * width];
                b.pack(p, Math.min(U, k - p), j0, Math.min(width, n - j0), dst, width);
                packed[s] = dst;
            }
        });
        return packed;
    }

    /** B[p][j] = b[bOff + p * bRs + j * bCs]. */
    private static GroupPacker strided(double[] b, int bOff, int bRs, int bCs) {
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
    private static double[][] packA(int m, int k, double[] a, int aOff, int aRs, int aCs, int groups) {
        double[][] packed = new double[(m + R - 1) / R][];
        Parallel.forRange(packed.length, 16, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                double[] dst = new double[groups * R * U];
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
    private static RowSink strided(double[] c, int cOff, int cRs, int cCs, boolean accumulate) {
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
