package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CpuGemm against a naive float64 product, over odd shapes, transposed and strided operands, both dtypes. */
class CpuGemmTest {
    /**
     * (m, n, k) chosen to hit no tile size evenly: empty, tiny (plain loop), one row/column, many
     * narrow panels and row blocks, wide panels followed by narrow ones (in either orientation), a
     * narrow panel followed by a full tiny one (160 = 128 + 32), the last narrow panel taking a few more
     * columns (150, 278 = 128 + 150); with B transposed, products GemmF32Vector turns round (C^T = B^T A^T, B^T's rows
     * read in place: 16x150x700, 20x278x50, 45x333x270, the last with partial tiles and k past one block); and products
     * GemmF32Vector runs in slices of k, A's packed slice within L2 (40x70x5000: 3072 + 1928 steps, 300x40x1000: 256 steps
     * three times, then 232).
     */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {0, 4, 3}, {4, 0, 3}, {5, 7, 0}, {70, 300, 0}, {3, 5, 7}, {1, 300, 70}, {300, 1, 300},
        {67, 129, 31}, {131, 257, 19}, {129, 515, 73}, {250, 70, 130}, {64, 64, 16}, {121, 263, 1},
        {7, 1000, 9}, {241, 300, 200}, {130, 1100, 40}, {1090, 20, 33}, {61, 1700, 21},
        {37, 160, 23}, {16, 150, 700}, {20, 278, 50}, {45, 333, 270}, {40, 70, 5000}, {300, 40, 1000},
    };

    /** One call: shape, operand layouts, accumulate, dtype. */
    record Case(int m, int n, int k, boolean aTransposed, boolean bTransposed, boolean accumulate, DType dtype) {
        @Override
        public String toString() {
            return dtype + " " + m + "x" + n + "x" + k + (aTransposed ? " A^T" : "") + (bTransposed ? " B^T" : "")
                    + (accumulate ? " accumulate" : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            for (int layout = 0; layout < 4; layout++) {
                for (boolean acc : new boolean[] {false, true}) {
                    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                        out.add(new Case(s[0], s[1], s[2], (layout & 1) != 0, (layout & 2) != 0, acc, dtype));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gemm_anyShapeLayoutAndAccumulate_matchesNaiveDoubleAndLeavesRestOfCUntouched(Case c) {
        Random rnd = new Random(31L * c.m() + 7L * c.n() + c.k());
        // operands live inside larger arrays at an offset, with padded leading dimensions
        int aOff = 3;
        int bOff = 5;
        int cOff = 2;
        int aLd = (c.aTransposed() ? c.m() : c.k()) + 2;
        int bLd = (c.bTransposed() ? c.k() : c.n()) + 1;
        int ldc = c.n() + 3;
        double[] a = random(rnd, aOff + aLd * (c.aTransposed() ? c.k() : c.m()));
        double[] b = random(rnd, bOff + bLd * (c.bTransposed() ? c.n() : c.k()));
        double[] c0 = random(rnd, cOff + ldc * c.m() + 4);
        int aRs = c.aTransposed() ? 1 : aLd;
        int aCs = c.aTransposed() ? aLd : 1;
        int bRs = c.bTransposed() ? 1 : bLd;
        int bCs = c.bTransposed() ? bLd : 1;

        double[] expected = c0.clone();
        for (int i = 0; i < c.m(); i++) {
            for (int j = 0; j < c.n(); j++) {
                double sum = 0;
                for (int p = 0; p < c.k(); p++) {
                    sum += a[aOff + i * aRs + p * aCs] * b[bOff + p * bRs + j * bCs];
                }
                int at = cOff + i * ldc + j;
                expected[at] = c.accumulate() ? c0[at] + sum : sum;
            }
        }

        double[] actual;
        Tolerance tol;
        if (c.dtype() == DType.FLOAT32) {
            float[] cf = toFloat(c0);
            CpuGemm.sgemm(c.m(), c.n(), c.k(), toFloat(a), aOff, aRs, aCs, toFloat(b), bOff, bRs, bCs, cf, cOff, ldc,
                    c.accumulate());
            actual = toDouble(cf);
            tol = Tolerances.PERMISSIVE.float32();
        } else {
            actual = c0.clone();
            CpuGemm.dgemm(c.m(), c.n(), c.k(), a, aOff, aRs, aCs, b, bOff, bRs, bCs, actual, cOff, ldc, c.accumulate());
            tol = Tolerances.BALANCED.float64();
        }
        tol.assertClose(c.toString(), expected, actual);
    }

    /**
     * surefire's vector-api execution runs this class with the Vector API module (kiln.test.vectorModule):
     * there float32 products go to GemmF32Vector wherever its vectors fit the machine; elsewhere never.
     */
    @Test
    void sgemm_runsOnTheVectorApiKernelExactlyWhereItsModuleIs() {
        boolean module = Boolean.getBoolean("kiln.test.vectorModule");
        assertEquals(module, ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the module is in the boot layer of the vector-api execution only");
        assertEquals(module && GemmF32Vector.usable(), CpuGemm.usesVectorApi());
        if (module) { // only where the JIT turns the kernels' vectors into instructions: 256 bits and up for the GEMM
            int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
            assertEquals(bits >= 256, GemmF32Vector.usable());
        }
    }

    /**
     * The backend's JIT warm-up (VectorWarmUp) runs every GemmF32Vector path on a thread of its own without an error,
     * and products computed meanwhile (parallel ones, on the team) come out bit for bit as when computed alone.
     */
    @Test
    void vectorWarmUp_runsEveryPathWhileOtherProductsStayExact() throws InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(CpuGemm.usesVectorApi(), "needs the Vector API kernel");
        int m = 130;
        int n = 260;
        int k = 70;
        Random rnd = new Random(5);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        float[] alone = new float[m * n];
        CpuGemm.sgemm(m, n, k, a, 0, k, 1, b, 0, n, 1, alone, 0, n, false);
        Throwable[] failure = new Throwable[1];
        Thread warmUp = new Thread(VectorWarmUp::run);
        warmUp.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        warmUp.start();
        int products = 0;
        do {
            float[] c = new float[m * n];
            CpuGemm.sgemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
            assertArrayEquals(alone, c, "product " + products + " during the warm-up");
            products++;
        } while (warmUp.isAlive());
        warmUp.join();
        assertEquals(null, failure[0], "the warm-up threw");
    }

    @Test
    void sgemm_kZero_writesZerosOrKeepsC() {
        float[] c = {1, 2, 3, 4};
        CpuGemm.sgemm(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 1, 0, c, 0, 2, true);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c);
        CpuGemm.sgemm(2, 2, 0, new float[0], 0, 0, 1, new float[0], 0, 1, 0, c, 0, 2, false);
        assertArrayEquals(new float[] {0, 0, 0, 0}, c);
    }

    @Test
    void dgemm_worked2x2_givesClosedForm() {
        // [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50]
        double[] c = new double[4];
        CpuGemm.dgemm(2, 2, 2, new double[] {1, 2, 3, 4}, 0, 2, 1, new double[] {5, 6, 7, 8}, 0, 2, 1, c, 0, 2, false);
        assertArrayEquals(new double[] {19, 22, 43, 50}, c);
    }

    @Test
    void matmul_ofTransposedViews_matchesNaiveDouble() {
        Random rnd = new Random(5);
        int m = 150;
        int n = 277;
        int k = 91;
        double[] at = random(rnd, k * m); // A^T stored (k, m)
        double[] bt = random(rnd, n * k); // B^T stored (n, k)
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor a = Tensor.fromArray(at, k, m).to(dtype).t();
            Tensor b = Tensor.fromArray(bt, n, k).to(dtype).t();
            double[] expected = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += at[p * m + i] * bt[j * k + p];
                    }
                    expected[i * n + j] = sum;
                }
            }
            Tolerance tol = dtype == DType.FLOAT32 ? Tolerances.PERMISSIVE.float32() : Tolerances.BALANCED.float64();
            tol.assertClose("matmul " + dtype, expected, a.matmul(b).to(DType.FLOAT64).toDoubleArray());
        }
    }

    @Test
    void matmul_batchedFloat64_matchesPerBatchProducts() {
        Random rnd = new Random(9);
        Tensor a = Tensor.fromArray(random(rnd, 3 * 70 * 40), 3, 70, 40);
        Tensor b = Tensor.fromArray(random(rnd, 3 * 40 * 90), 3, 40, 90);
        Tensor c = a.matmul(b);
        for (int i = 0; i < 3; i++) {
            double[] ai = a.select(0, i).contiguous().toDoubleArray();
            double[] bi = b.select(0, i).contiguous().toDoubleArray();
            double[] expected = new double[70 * 90];
            for (int r = 0; r < 70; r++) {
                for (int j = 0; j < 90; j++) {
                    for (int p = 0; p < 40; p++) {
                        expected[r * 90 + j] += ai[r * 40 + p] * bi[p * 90 + j];
                    }
                }
            }
            Tolerances.BALANCED.float64().assertClose("batch " + i, expected, c.select(0, i).contiguous().toDoubleArray());
        }
        assertArrayEquals(new int[] {3, 70, 90}, c.shape());
    }

    /**
     * A sink that multiplies again on the same thread (the task's scratch buffers are in use) gets
     * buffers of its own: both products come out as computed alone.
     */
    @Test
    void sgemm_fromInsideAnotherProductsSink_keepsBothIntact() {
        Random rnd = new Random(11);
        float[] a = toFloat(random(rnd, 70 * 40));
        float[] b = toFloat(random(rnd, 40 * 300));
        float[] alone = new float[70 * 300];
        GemmF32.gemm(70, 300, 40, a, 0, 40, 1, b, 0, 300, 1, alone, 0, 300, 1, false);
        float[] outer = new float[70 * 300];
        float[][] inner = new float[70][];
        GemmF32.gemm(70, 300, 40, a, 0, 40, 1, b, 0, 300, 1, (i, j0, nc, src, from) -> {
            inner[i] = new float[70 * 300];
            GemmF32.gemm(70, 300, 40, a, 0, 40, 1, b, 0, 300, 1, inner[i], 0, 300, 1, false);
            System.arraycopy(src, from, outer, i * 300 + j0, nc);
        }, true);
        assertArrayEquals(alone, outer);
        for (float[] again : inner) {
            assertArrayEquals(alone, again);
        }
    }

    private static double[] random(Random rnd, int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) (rnd.nextDouble() * 2 - 1); // exactly representable in float32 too
        }
        return out;
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}
