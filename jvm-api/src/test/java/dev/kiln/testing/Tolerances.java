package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Named comparison tolerances for tests: |actual - expected| <= atol + rtol * |expected|, checked
 * element by element, reporting the worst element when it fails.
 */
public final class Tolerances {
    /** Float64 results of short sums (a few ulps of accumulated rounding). */
    public static final Tolerance STRICT = new Tolerance(1e-11, 1e-11);
    /** Float32 results of sums over hundreds of terms of size about 1. */
    public static final Tolerance BALANCED = new Tolerance(1e-4, 1e-4);
    /** Float32 results of sums over many thousands of terms (weight gradients over whole batches). */
    public static final Tolerance PERMISSIVE = new Tolerance(1e-3, 1e-3);

    private Tolerances() {
    }

    /** A relative and an absolute tolerance. */
    public record Tolerance(double rtol, double atol) {
        public boolean close(double expected, double actual) {
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }

        /** Fails naming what was compared and the worst element when any element is not close. */
        public void assertClose(String what, double[] expected, double[] actual) {
            assertEquals(expected.length, actual.length, what + ": element count");
            int worst = -1;
            double worstExcess = 0;
            for (int i = 0; i < expected.length; i++) {
                double excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
                if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
                    worst = i;
                    worstExcess = excess;
                }
            }
            if (worst >= 0) {
                fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst]
                        + " (rtol " + rtol + ", atol " + atol + ")");
            }
        }

        public void assertClose(String what, double expected, double actual) {
            assertClose(what, new double[] {expected}, new double[] {actual});
        }
    }
}
