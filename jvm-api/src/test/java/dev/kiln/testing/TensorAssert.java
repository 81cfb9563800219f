package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.Arrays;

/** Assertions on whole tensors that report the worst element, its position and the tolerance. */
public final class TensorAssert {
    private TensorAssert() {
    }

    /** Same shape and dtype, and every value within {@code level}'s tolerance for that dtype. */
    public static void assertClose(String what, Tensor expected, Tensor actual, Tolerances.Level level) {
        assertClose(what, expected, actual, level.of(expected.dtype()));
    }

    public static void assertClose(String what, Tensor expected, Tensor actual, Tolerances.Tolerance tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        if (expected.dtype() == DType.INT64) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what + ": values");
            return;
        }
        if (expected.dtype() == DType.BOOL) {
            assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), what + ": values");
            return;
        }
        assertClose(what, expected.shape(), expected.toDoubleArray(), actual.toDoubleArray(), tol);
    }

    /** Bit-for-bit equal shape, dtype and values. */
    public static void assertExact(String what, Tensor expected, Tensor actual) {
        assertClose(what, expected, actual, Tolerances.EXACT);
    }

    /** Flat row-major values of a tensor of {@code shape}, compared element by element. */
    public static void assertClose(String what, int[] shape, double[] expected, double[] actual, Tolerances.Tolerance tol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        int worst = -1;
        double worstExcess = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < expected.length; i++) {
            if (tol.accepts(expected[i], actual[i])) {
                continue;
            }
            double excess = Math.abs(actual[i] - expected[i]) - (tol.atol() + tol.rtol() * Math.abs(expected[i]));
            if (worst < 0 || !(excess <= worstExcess)) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + Arrays.toString(position(shape, worst)) + " of shape " + Arrays.toString(shape)
                    + " expected " + expected[worst] + " but was " + actual[worst] + " (rtol " + tol.rtol() + ", atol "
                    + tol.atol() + ")");
        }
    }

    private static int[] position(int[] shape, int flat) {
        int[] pos = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            pos[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return pos;
    }
}
