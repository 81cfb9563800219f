package dev.kiln.cpu;

import java.util.Arrays;

/**
 * Cache-blocked float32 GEMM behind {@link CpuGemm#sgemm}. B is packed once into zero-padded
 * groups of U k-steps by W columns; A into zero-padded R x U blocks. Each task owns MC rows by W
 * columns of C, accumulated over all of k in private strips of R rows, then written back through
 * C's strides.
 *
 * <p>Why this shape: HotSpot C2 (JDK 17) vectorises the micro-kernel's j loop only when every
 * array index in it is j plus a constant, and gives up on bodies much larger than R * U = 15
 * multiply-adds. So a B group and an R-row C strip are each their own array, rows at constant
 * offsets; per vector of j the kernel loads U vectors of B and R of C and stores R for R * U FMAs
 * (5 x 3 measured best among 2..8 x 1..4 on the AVX-512 EPYC).
 */
final class GemmF32 {
    /** Columns of C per panel: the micro-kernel's vector loop length. */
    static final int W = 256;
    /** Rows of C per micro-kernel strip. */
    private static final int R = 5;
    /** k-steps per micro-kernel call (rows of a packed B group). */
    private static final int U = 3;
    /** Groups per cache block: a (U * 8, W) block of B (24 KiB) stays in L1 while every strip of a task passes over it. */
    private static final int GROUPS_PER_BLOCK = 8;
    /** Rows of C per task, a multiple of R; its strips (120 KiB) stay in L2. */
    private static final int MC = R * 24;

    private GemmF32() {
    }

    /** C[i][j] at c[cOff + i * cRs + j * cCs]; m, n, k >= 1. */
    static void gemm(int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, int bRs,
                     int bCs, float[] c, int cOff, int cRs, int cCs, boolean accumulate) {
        int groups = (k + U - 1) / U;
        int panels = (n + W - 1) / W;
        float[][] packedB = packB(n, k, b, bOff, bRs, bCs, groups, panels);
        float[][] packedA = packA(m, k, a, aOff, aRs, aCs, groups);
        int rowBlocks = (m + MC - 1) / MC;
        // tasks in panel-major order, so a thread's consecutive tasks reuse one B panel
        Parallel.forRange(rowBlocks * panels, 1, (t0, t1) -> {
            float[][] strips = new float[MC / R][R * W];
            for (int task = t0; task < t1; task++) {
                int panel = task / rowBlocks;
                int i0 = (task % rowBlocks) * MC;
                int mc = Math.min(MC, m - i0);
                int nStrips = (mc + R - 1) / R;
                for (int s = 0; s < nStrips; s++) {
                    Arrays.fill(strips[s], 0f);
                }
                for (int g0 = 0; g0 < groups; g0 += GROUPS_PER_BLOCK) {
                    int g1 = Math.min(groups, g0 + GROUPS_PER_BLOCK);
                    for (int s = 0; s < nStrips; s++) {
                        float[] strip = strips[s];
                        float[] stripA = packedA[i0 / R + s];
                        for (int g = g0; g < g1; g++) {
                            kernel(strip, packedB[panel * groups + g], stripA, g * R * U);
                        }
                    }
                }
                int j0 = panel * W;
                writeBack(strips, mc, Math.min(W, n - j0), c, cOff + i0 * cRs + j0 * cCs, cRs, cCs, accumulate);
            }
        });
    }

    /** strip (R, W) += A block (R, U) at a[ao ..] times group (U, W). */
    private static void kernel(float[] strip, float[] group, float[] a, int ao) {
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
        for (int j = 0; j < W; j++) {
            float b0 = group[j];
            float b1 = group[W + j];
            float b2 = group[2 * W + j];
            strip[j] = Math.fma(a02, b2, Math.fma(a01, b1, Math.fma(a00, b0, strip[j])));
            strip[W + j] = Math.fma(a12, b2, Math.fma(a11, b1, Math.fma(a10, b0, strip[W + j])));
            strip[2 * W + j] = Math.fma(a22, b2, Math.fma(a21, b1, Math.fma(a20, b0, strip[2 * W + j])));
            strip[3 * W + j] = Math.fma(a32, b2, Math.fma(a31, b1, Math.fma(a30, b0, strip[3 * W + j])));
            strip[4 * W + j] = Math.fma(a42, b2, Math.fma(a41, b1, Math.fma(a40, b0, strip[4 * W + j])));
        }
    }

    /** B (k, n) -> panels * groups arrays (U, W), zero beyond k and n; group g of panel at [panel * groups + g]. */
    private static float[][] packB(int n, int k, float[] b, int bOff, int bRs, int bCs, int groups, int panels) {
        float[][] packed = new float[panels * groups][];
        Parallel.forRange(panels * groups, 64, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                int j0 = (s / groups) * W;
                int p0 = (s % groups) * U;
                int nc = Math.min(W, n - j0);
                float[] dst = new float[U * W];
                for (int q = 0; q < U && p0 + q < k; q++) {
                    int src = bOff + (p0 + q) * bRs + j0 * bCs;
                    if (bCs == 1) {
                        System.arraycopy(b, src, dst, q * W, nc);
                    } else {
                        for (int j = 0; j < nc; j++) {
                            dst[q * W + j] = b[src + j * bCs];
                        }
                    }
                }
                packed[s] = dst;
            }
        });
        return packed;
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

    private static void writeBack(float[][] strips, int mc, int nc, float[] c, int cOff, int cRs, int cCs,
                                  boolean accumulate) {
        for (int i = 0; i < mc; i++) {
            float[] strip = strips[i / R];
            int from = (i % R) * W;
            int base = cOff + i * cRs;
            for (int j = 0; j < nc; j++) {
                int at = base + j * cCs;
                c[at] = accumulate ? c[at] + strip[from + j] : strip[from + j];
            }
        }
    }
}
