package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Named tolerances for comparing computed values with references: |actual - expected| <= atol +
 * rtol * |expected|. Pick the level by how much rounding the computation does, then the dtype.
 */
public final class Tolerances {
    private Tolerances() {
    }

    /** A relative and an absolute bound. */
    public record Tolerance(double rtol, double atol) {
        public boolean accepts(double expected, double actual) {
            if (Double.isNaN(expected) || Double.isInfinite(expected) || Double.isNaN(actual) || Double.isInfinite(actual)) {
                return Double.compare(expected, actual) == 0;
            }
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }

        /** Fails naming what was compared and the worst element when any element is not accepted. */
        public void assertClose(String what, double[] expected, double[] actual) {
            assertEquals(expected.length, actual.length, what + ": element count");
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < expected.length; i++) {
                double excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
                if (!accepts(expected[i], actual[i]) && (worst < 0 || !(excess <= worstExcess))) {
                    worst = i;
                    worstExcess = excess;
                }
            }
            if (worst >= 0) {
                fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                        + " (rtol " + rtol + ", atol " + atol + ")");
            }
        }

        /** Same shape, and every value (as float64, whatever the dtypes and devices) within this tolerance. */
        public void assertClose(String what, Tensor expected, Tensor actual) {
            if (!Arrays.equals(expected.shape(), actual.shape())) {
                fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
            }
            assertClose(what, expected.to(DType.FLOAT64).toDoubleArray(), actual.to(DType.FLOAT64).toDoubleArray());
        }

        public void assertClose(String what, double expected, double actual) {
            assertClose(what, new double[] {expected}, new double[] {actual});
        }
    }

    /** One tolerance per floating dtype. */
    public record Level(String name, Tolerance float32, Tolerance float64) {
        public Tolerance of(DType dtype) {
            switch (dtype) {
                case FLOAT32: return float32;
                case FLOAT64: return float64;
                default: return EXACT;
            }
        }
    }

    /** float64 results against reference values quoted in a test to 10 significant digits. */
    public static final Tolerance QUOTED = new Tolerance(1e-9, 1e-12);

    /** Bit-for-bit: selections, copies, indices, integer and bool results. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /** One elementwise function of one or two values: a few units in the last place apart. */
    public static final Level STRICT = new Level("strict", new Tolerance(2e-6, 1e-7), new Tolerance(1e-12, 1e-14));

    /** One accumulation (sums, dot products, softmax) of up to a few hundred terms, in any order. */
    public static final Level BALANCED = new Level("balanced", new Tolerance(1e-5, 1e-5), new Tolerance(1e-10, 1e-12));

    /** Chains of accumulations (backward of conv and attention, products, variances) with cancellation. */
    public static final Level PERMISSIVE = new Level("permissive", new Tolerance(1e-4, 1e-4), new Tolerance(1e-8, 1e-10));
}
