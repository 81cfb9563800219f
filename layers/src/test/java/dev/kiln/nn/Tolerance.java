package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/** Named tolerances for the layers tests: |actual - expected| <= atol + rtol |expected| elementwise. */
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

    /** Asserts equal shapes and values within this tolerance, naming {@code what} and the worst element. */
    public void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.to(DType.FLOAT64).toDoubleArray();
        double[] a = actual.to(DType.FLOAT64).toDoubleArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            double excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
            if (!(excess <= worstExcess) && !(Double.isNaN(e[i]) && Double.isNaN(a[i]))) {
                worst = i;
                worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        int w = worst;
        assertTrue(w < 0, () -> what + " " + Shape.str(expected.shape()) + ": element " + w + " is " + a[w] + ", expected "
                + e[w] + " (rtol " + rtol + ", atol " + atol + ")");
    }
}
