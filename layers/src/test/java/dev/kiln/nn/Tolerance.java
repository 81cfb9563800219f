package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;

/**
 * Named tolerances for the layers tests: |actual - expected| <= atol + rtol |expected| elementwise,
 * compared by the test kit's {@link Tolerances.Tolerance} (NaN matches NaN, infinities must be equal).
 */
public record Tolerance(double rtol, double atol) {
    /** float64 against PyTorch's float64: only summation order differs. */
    public static final Tolerance STRICT = new Tolerance(1e-9, 1e-12);
    /** float32 against PyTorch's float32 (a few ulps, grown through reductions and backward). */
    public static final Tolerance BALANCED = new Tolerance(1e-4, 1e-5);
    /** Results from training runs or chained steps in float32, where rounding compounds. */
    public static final Tolerance PERMISSIVE = new Tolerance(1e-3, 1e-4);

    public static Tolerance of(DType dtype) {
        return dtype == DType.FLOAT64 ? STRICT : BALANCED;
    }

    /** Asserts equal shapes and values within this tolerance (the test kit's rule), naming {@code what} and the worst element. */
    public void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        new Tolerances.Tolerance(rtol, atol).assertClose(what + " " + Shape.str(expected.shape()),
                expected.to(DType.FLOAT64).toDoubleArray(), actual.to(DType.FLOAT64).toDoubleArray());
    }
}
