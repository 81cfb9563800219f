package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The direct float32 convolutions' register blocks, each against {@link CpuConv2dTest}'s naive float64 reference:
 * a machine's vector width picks one block per kernel (8 or 4 channels for the forward and input gradient, 5 or 2
 * taps for the weight gradient), so CpuConv2dTest covers only that one; here both run, on any machine with the
 * Vector API (surefire's vector-api execution).
 */
class DirectConvF32VectorTest {
    private static final Tolerance TOL = Tolerances.PERMISSIVE.float32();

    @BeforeEach
    void needsTheVectorApi() {
        assumeTrue(CpuGemm.usesVectorApi(), "the Vector API module is absent or this machine's vectors are under 256 bits");
    }

    @Test
    void directCasesExist() {
        assertTrue(CpuConv2dTest.CASES.stream().filter(c -> DirectConv.suitsBackwardInput(geometry(c))).count() >= 2,
                "CpuConv2dTest has cases whose forward and both gradients run directly");
    }

    @Test
    void stridedDirectCasesExist() {
        assertTrue(CpuConv2dTest.CASES.stream().filter(c -> c.p().strideH() * c.p().strideW() > 1
                && DirectConv.suitsForward(geometry(c)) && DirectConv.suitsBackwardWeight(geometry(c))).count() >= 4,
                "CpuConv2dTest has strided cases whose forward and weight gradient run on phase planes");
    }

    @Test
    void stridedInputGradientCasesExist() {
        assertTrue(CpuConv2dTest.CASES.stream().filter(c -> c.p().strideH() * c.p().strideW() > 1
                && DirectConv.suitsBackwardInput(geometry(c))).count() >= 6,
                "CpuConv2dTest has strided cases whose input gradient runs by phases");
    }

    @Test
    void casesWhoseWeightGradientIsAGemmExist() {
        assertTrue(CpuConv2dTest.CASES.stream().anyMatch(c -> c.kh() * c.kw() > 1 && DirectConv.suitsForward(geometry(c))
                && !DirectConv.suitsBackwardWeight(geometry(c))), "CpuConv2dTest has cases whose forward runs directly "
                + "and whose weight gradient packs im2col panels for the GEMM");
    }

    @Test
    void forwardAndInputGradient_bothChannelBlocks_matchNaiveDouble() {
        for (CpuConv2dTest.Case c : directCases()) {
            Random rnd = new Random(c.name().hashCode());
            double[] x = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.xShape()));
            double[] w = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.wShape()));
            double[] b = c.bias() ? CpuConv2dTest.random(rnd, c.o()) : null;
            double[] gy = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.yShape()));
            ConvGeometry g = geometry(c);
            for (boolean wide : new boolean[] {true, false}) {
                String name = c + (wide ? ", 8-channel blocks" : ", 4-channel blocks");
                float[] y = new float[CpuConv2dTest.numel(c.yShape())];
                // at offset 1, as a tensor's view would be
                DirectConvF32Vector.forward(g, shifted(x), 1, shifted(w), 1, b == null ? null : shifted(b), 1, y, wide);
                TOL.assertClose(name + " forward", CpuConv2dTest.naiveForward(c, x, w, b), widen(y));
                if (DirectConv.suitsBackwardInput(g)) {
                    float[] gx = new float[CpuConv2dTest.numel(c.xShape())];
                    DirectConvF32Vector.backwardInput(g, shifted(gy), 1, shifted(w), 1, gx, wide);
                    TOL.assertClose(name + " input gradient", CpuConv2dTest.naiveBackwardInput(c, gy, w), widen(gx));
                }
            }
        }
    }

    @Test
    void weightGradient_bothTapBlocks_matchNaiveDouble() {
        for (CpuConv2dTest.Case c : directCases()) {
            Random rnd = new Random(c.name().hashCode() + 1);
            double[] x = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.xShape()));
            double[] gy = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.yShape()));
            for (int taps : new int[] {5, 2}) {
                float[] gw = new float[CpuConv2dTest.numel(c.wShape())];
                DirectConvWeightGradF32Vector.backwardWeight(geometry(c), shifted(gy), 1, shifted(x), 1, gw, taps);
                TOL.assertClose(c + ", " + taps + "-tap blocks, weight gradient", CpuConv2dTest.naiveBackwardWeight(c, gy, x),
                        widen(gw));
            }
        }
    }

    @Test
    void outerWeightGradient_allRegisterBlocks_matchNaiveDouble() {
        assertTrue(directCases().stream().filter(c -> OuterWeightGradF32Vector.suits(geometry(c))
                && DirectConv.suitsBackwardWeight(geometry(c))).count() >= 3,
                "CpuConv2dTest has cases whose weight gradient runs as outer products over pixels");
        for (CpuConv2dTest.Case c : directCases()) {
            Random rnd = new Random(c.name().hashCode() + 2);
            double[] x = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.xShape()));
            double[] gy = CpuConv2dTest.random(rnd, CpuConv2dTest.numel(c.yShape()));
            for (int[] block : new int[][] {{4, 6}, {2, 12}, {4, 3}, {2, 6}}) {
                float[] gw = new float[CpuConv2dTest.numel(c.wShape())];
                OuterWeightGradF32Vector.backwardWeight(geometry(c), shifted(gy), 1, shifted(x), 1, gw, block[0], block[1]);
                TOL.assertClose(c + ", outer products in blocks of " + block[0] + " vectors x " + block[1] + " taps",
                        CpuConv2dTest.naiveBackwardWeight(c, gy, x), widen(gw));
            }
        }
    }

    private static List<CpuConv2dTest.Case> directCases() {
        return CpuConv2dTest.CASES.stream().filter(c -> DirectConv.suitsForward(geometry(c))).toList();
    }

    private static ConvGeometry geometry(CpuConv2dTest.Case c) {
        return ConvGeometry.of(c.xShape(), c.wShape(), c.p());
    }

    /** values as float32, one element in: the kernels read from an offset. */
    private static float[] shifted(double[] values) {
        float[] out = new float[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            out[i + 1] = (float) values[i];
        }
        return out;
    }

    private static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
