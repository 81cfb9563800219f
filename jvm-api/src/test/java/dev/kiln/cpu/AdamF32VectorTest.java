package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.AdamParams;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AdamF32Vector against Backend.adamStep's formula computed in double one element at a time and rounded once per stored
 * value, as the scalar path does: equal bit for bit, with and without weight decay (L2 and decoupled) and AMSGrad, over
 * a range whose ends are not whole vectors, at storage offsets; NaN, infinities and signed zeros included.
 */
class AdamF32VectorTest {
    @ParameterizedTest(name = "weight decay {0}, decoupled {1}, amsgrad {2}, step {3}")
    @CsvSource({"0, false, false, 1", "0.01, false, false, 3", "0.01, true, true, 7", "0, false, true, 2"})
    void vectorStep_equalsScalarFormula_bitForBit(double weightDecay, boolean decoupled, boolean amsgrad, long step) {
        assumeTrue(CpuGemm.usesVectorApi(), "the Vector API module is absent or this machine's vectors are under 256 bits");
        Random rnd = new Random(step);
        int n = 103;
        float[][] t = new float[5][n + 2]; // w, g, m, v, vmax, one element of offset before each
        for (float[] a : t) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
        }
        t[0][5] = -0f;
        t[1][6] = 0f;
        t[1][7] = Float.NaN;
        t[2][8] = Float.POSITIVE_INFINITY;
        t[3][9] = -0f;
        for (int i = 0; i < n + 2; i++) { // second moments are never negative
            t[3][i] = Math.abs(t[3][i]);
            t[4][i] = Math.abs(t[4][i]);
        }
        float[][] expected = new float[5][];
        for (int k = 0; k < 5; k++) {
            expected[k] = t[k].clone();
        }
        AdamParams p = new AdamParams(1e-3, 0.9, 0.999, 1e-8, weightDecay, decoupled, step);
        float[] vmax = amsgrad ? t[4] : null;
        AdamF32Vector.adam(2, n, t[0], 1, t[1], 1, t[2], 1, t[3], 1, vmax, 1, p);
        reference(2, n, expected, amsgrad, p);
        String[] names = {"param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
        for (int k = 0; k < 5; k++) {
            assertArrayEquals(expected[k], t[k], names[k]);
        }
    }

    /** Backend.adamStep's formula on elements [from, to) at offset 1, in double, each stored value rounded once. */
    private static void reference(int from, int to, float[][] t, boolean amsgrad, AdamParams p) {
        for (int i = from + 1; i < to + 1; i++) {
            double w = t[0][i] * p.paramScale();
            double g = p.l2() == 0 ? t[1][i] : t[1][i] + p.l2() * w;
            double m = p.beta1() * t[2][i] + (1 - p.beta1()) * g;
            double v = p.beta2() * t[3][i] + (1 - p.beta2()) * g * g;
            t[2][i] = (float) m;
            t[3][i] = (float) v;
            if (amsgrad) {
                v = Math.max(t[4][i], v);
                t[4][i] = (float) v;
            }
            t[0][i] = (float) (w - p.stepSize() * (m / (Math.sqrt(v) / p.biasCorrection2Sqrt() + p.eps())));
        }
    }
}
