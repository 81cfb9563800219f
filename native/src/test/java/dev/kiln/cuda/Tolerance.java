package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;

/** |actual - expected| <= atol + rtol |expected| elementwise; NaN matches NaN, infinities must be equal. */
record Tolerance(double rtol, double atol) {
    /** Copies, casts and selections: bit-for-bit but for float rounding of the cast. */
    static final Tolerance STRICT = new Tolerance(0, 0);
    /** One correctly rounded op of the dtype, or a few. */
    static Tolerance balanced(DType t) {
        return t == DType.FLOAT64 ? new Tolerance(1e-12, 1e-14) : new Tolerance(2e-6, 1e-7);
    }
    /** Reductions and libm differences: summation order and ulp-level function errors. */
    static Tolerance permissive(DType t) {
        return t == DType.FLOAT64 ? new Tolerance(1e-10, 1e-12) : new Tolerance(1e-4, 1e-5);
    }

    void check(String what, double[] expected, double[] actual) {
        new Tolerances.Tolerance(rtol, atol).assertClose(what, expected, actual);
    }

    void check(String what, Tensor expected, Tensor actual) {
        if (!java.util.Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + java.util.Arrays.toString(actual.shape()) + ", expected "
                    + java.util.Arrays.toString(expected.shape()));
        }
        check(what, expected.toDoubleArray(), actual.toDoubleArray());
    }
}
