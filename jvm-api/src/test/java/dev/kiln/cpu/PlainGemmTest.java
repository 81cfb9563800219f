package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * CpuGemm's plain loops (row of running sums, four columns side by side) give bit for bit what the
 * reference order gives: C[i][j] = (0 + A[i][0] B[0][j]) + A[i][1] B[1][j] + ..., then + C when
 * accumulating. Operands sit at offsets with padded leading dimensions, either one transposed.
 */
class PlainGemmTest {
    @Property(tries = 200)
    void plainF32_anyLayout_equalsReferenceOrderExactly(@ForAll @IntRange(min = 1, max = 13) int m,
                                                       @ForAll @IntRange(min = 1, max = 19) int n,
                                                       @ForAll @IntRange(max = 40) int k, @ForAll boolean aTransposed,
                                                       @ForAll boolean bTransposed, @ForAll boolean accumulate,
                                                       @ForAll long seed) {
        Layout l = new Layout(m, n, k, aTransposed, bTransposed);
        Random rnd = new Random(seed);
        float[] a = randomF32(rnd, l.aSize());
        float[] b = randomF32(rnd, l.bSize());
        float[] c = randomF32(rnd, l.cSize());
        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[l.a(i, p)] * b[l.b(p, j)];
                }
                int at = l.c(i, j);
                expected[at] = accumulate ? expected[at] + sum : sum;
            }
        }
        PlainGemmF32.gemm(m, n, k, a, Layout.A_OFF, l.aRs(), l.aCs(), b, Layout.B_OFF, l.bRs(), l.bCs(), c, Layout.C_OFF,
                l.ldc(), accumulate);
        assertArrayEquals(expected, c);
    }

    @Property(tries = 200)
    void plainF64_anyLayout_equalsReferenceOrderExactly(@ForAll @IntRange(min = 1, max = 13) int m,
                                                       @ForAll @IntRange(min = 1, max = 19) int n,
                                                       @ForAll @IntRange(max = 40) int k, @ForAll boolean aTransposed,
                                                       @ForAll boolean bTransposed, @ForAll boolean accumulate,
                                                       @ForAll long seed) {
        Layout l = new Layout(m, n, k, aTransposed, bTransposed);
        Random rnd = new Random(seed);
        double[] a = randomF64(rnd, l.aSize());
        double[] b = randomF64(rnd, l.bSize());
        double[] c = randomF64(rnd, l.cSize());
        double[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int p = 0; p < k; p++) {
                    sum += a[l.a(i, p)] * b[l.b(p, j)];
                }
                int at = l.c(i, j);
                expected[at] = accumulate ? expected[at] + sum : sum;
            }
        }
        PlainGemmF64.gemm(m, n, k, a, Layout.A_OFF, l.aRs(), l.aCs(), b, Layout.B_OFF, l.bRs(), l.bCs(), c, Layout.C_OFF,
                l.ldc(), accumulate);
        assertArrayEquals(expected, c);
    }

    /** Where A (m, k), B (k, n) and C (m, n) live: at offsets, leading dimensions padded, A or B stored transposed. */
    private record Layout(int m, int n, int k, boolean aTransposed, boolean bTransposed) {
        static final int A_OFF = 3;
        static final int B_OFF = 5;
        static final int C_OFF = 2;

        int aLd() {
            return (aTransposed ? m : k) + 2;
        }

        int bLd() {
            return (bTransposed ? k : n) + 1;
        }

        int ldc() {
            return n + 3;
        }

        int aRs() {
            return aTransposed ? 1 : aLd();
        }

        int aCs() {
            return aTransposed ? aLd() : 1;
        }

        int bRs() {
            return bTransposed ? 1 : bLd();
        }

        int bCs() {
            return bTransposed ? bLd() : 1;
        }

        int aSize() {
            return A_OFF + aLd() * (aTransposed ? k : m);
        }

        int bSize() {
            return B_OFF + bLd() * (bTransposed ? n : k);
        }

        int cSize() {
            return C_OFF + ldc() * m + 4;
        }

        int a(int i, int p) {
            return A_OFF + i * aRs() + p * aCs();
        }

        int b(int p, int j) {
            return B_OFF + p * bRs() + j * bCs();
        }

        int c(int i, int j) {
            return C_OFF + i * ldc() + j;
        }
    }

    private static float[] randomF32(Random rnd, int size) {
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = rnd.nextFloat() * 2 - 1;
        }
        return out;
    }

    private static double[] randomF64(Random rnd, int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = rnd.nextDouble() * 2 - 1;
        }
        return out;
    }
}
