package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * float32 erf, GELU, tanh and sigmoid (Float32Functions, through Float32Loops; tanh and the sigmoid on VectorMath where
 * the Vector API is in use) against MathFunctions' double-accuracy
 * series, Math.tanh and the double sigmoid: within about one float32 unit over a dense grid and random magnitudes,
 * GELU's far negative tail relative to erfc's continued fraction (where 1 + erf cancels), and the special values.
 */
class Float32FunctionsTest {
    /** |got - exact| in units of the last place of exact rounded to float32. */
    static double ulps(float got, double exact) {
        float e = (float) exact;
        return got == e ? 0 : Math.abs(got - exact) / Math.ulp(e);
    }

    /** op over values, read from one array and written to another at the same offset (3), as a run of a view. */
    private static float[] apply(UnaryOp op, float[] values) {
        float[] a = new float[values.length + 3];
        System.arraycopy(values, 0, a, 3, values.length);
        float[] o = new float[a.length];
        Float32Loops.unary(op, o, 3, a, 3, 1, values.length);
        float[] out = new float[values.length];
        System.arraycopy(o, 3, out, 0, values.length);
        return out;
    }

    private static float[] grid() {
        Random rnd = new Random(7);
        float[] x = new float[600_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i < 300_000 ? (i - 150_000) * 4e-5f : (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 6));
        }
        return x;
    }

    /** op over the grid within `units` float32 units of exact, at inputs from `from` up. */
    private static void assertWithinUnits(UnaryOp op, DoubleUnaryOperator exact, double units, double from) {
        float[] x = grid();
        float[] y = apply(op, x);
        for (int i = 0; i < x.length; i++) {
            if (x[i] >= from) {
                double u = ulps(y[i], exact.applyAsDouble(x[i]));
                assertTrue(u <= units, op + "(" + x[i] + ") = " + y[i] + ", exact " + exact.applyAsDouble(x[i]) + ": " + u
                        + " ulp");
            }
        }
    }

    @Test
    void erf_withinOneUnitOfTheDoubleSeries() {
        assertWithinUnits(UnaryOp.ERF, MathFunctions::erf, 1.5, Double.NEGATIVE_INFINITY);
    }

    @Test
    void tanh_withinOneUnitOfMathTanh() {
        assertWithinUnits(UnaryOp.TANH, Math::tanh, 1.5, Double.NEGATIVE_INFINITY);
    }

    @Test
    void sigmoid_withinAFewUnitsOfTheDoubleSigmoid() {
        // 1.5 units on the double route; 2.5 on the Vector API's float32 lanes (1 / (1 + e^-x): three roundings after e^-x)
        assertWithinUnits(UnaryOp.SIGMOID, MathFunctions::sigmoid, CpuGemm.usesVectorApi() ? 2.5 : 1.5, Double.NEGATIVE_INFINITY);
    }

    @Test
    void gelu_withinTwoUnitsOfTheDoubleSeries_andRelativelyAccurateFarBelowZero() {
        // the double x (1 + erf(x / sqrt 2)) / 2 cancels below -5
        assertWithinUnits(UnaryOp.GELU, MathFunctions::gelu, 2.5, -5);
        float[] far = new float[700];
        for (int i = 0; i < far.length; i++) {
            far[i] = -5 - i * 0.01f;
        }
        float[] g = apply(UnaryOp.GELU, far);
        for (int i = 0; i < far.length; i++) {
            double exact = 0.5 * far[i] * MathFunctions.erfcLarge(-far[i] * Math.sqrt(0.5));
            assertTrue(Math.abs(g[i] - exact) <= 3e-7 * Math.abs(exact), "gelu(" + far[i] + ") = " + g[i] + ", exact " + exact);
        }
    }

    @Test
    void silu_withinAFewUnitsOfTheDoubleFunction_andItsDerivativeOfTheDoubleDerivative() {
        // x sigmoid(x): the sigmoid's units (1.5 on the double route, 2.5 in float32 lanes) plus the product's rounding;
        // below -80 the float32 lanes' sigmoid is subnormal (PyTorch's x / (1 + e^-x) is -0 there): within the
        // smallest normal float
        assertWithinUnits(UnaryOp.SILU, MathFunctions::silu, CpuGemm.usesVectorApi() ? 3 : 2, -80);
        float[] x = grid();
        float[] silu = apply(UnaryOp.SILU, x);
        for (int i = 0; i < x.length; i++) {
            assertTrue(x[i] >= -80 || Math.abs(silu[i] - MathFunctions.silu(x[i])) <= Float.MIN_NORMAL, "silu(" + x[i] + ")");
        }
        float[] g = new float[x.length];
        Random rnd = new Random(4);
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
        }
        float[] d = geluBackward(BinaryOp.SILU_BACKWARD, g, 1, x);
        for (int i = 0; i < x.length; i++) {
            // SiLU' crosses 0 near x = -1.28: the bound is absolute there, a few units of max(1, |g SiLU'|)
            double exact = g[i] * MathFunctions.siluDerivative(x[i]);
            assertTrue(Math.abs(d[i] - exact) <= 6e-7 * Math.max(1, Math.abs(exact)),
                    "silu_backward(" + g[i] + ", " + x[i] + ") = " + d[i] + ", exact " + exact);
        }
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 30f, -30f, -100f};
        float[] y = apply(UnaryOp.SILU, special);
        float[] dy = geluBackward(BinaryOp.SILU_BACKWARD, new float[] {1f}, 0, special);
        for (int i = 0; i < special.length; i++) { // NaN and the infinities exactly, the rest within the units above
            double f = MathFunctions.silu(special[i]);
            double df = MathFunctions.siluDerivative(special[i]);
            boolean tail = special[i] < -80 && Math.abs(y[i] - f) <= Float.MIN_NORMAL;
            assertTrue(Double.isNaN(f) ? Float.isNaN(y[i]) : tail || ulps(y[i], f) <= 3, "silu(" + special[i] + ") = " + y[i]);
            assertTrue(Double.isNaN(df) ? Float.isNaN(dy[i]) : Math.abs(dy[i] - df) <= 6e-7 * Math.max(1, Math.abs(df)),
                    "silu'(" + special[i] + ") = " + dy[i]);
        }
    }

    @Test
    void specialValues_asTheDoubleRoute() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -1e-30f, 30f, -30f};
        float[] erf = apply(UnaryOp.ERF, x);
        float[] gelu = apply(UnaryOp.GELU, x);
        float[] tanh = apply(UnaryOp.TANH, x);
        float[] sigmoid = apply(UnaryOp.SIGMOID, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals((float) MathFunctions.erf(x[i]), erf[i], "erf(" + x[i] + ")");
            assertEquals((float) MathFunctions.gelu(x[i]), gelu[i], "gelu(" + x[i] + ")");
            assertEquals((float) Math.tanh(x[i]), tanh[i], "tanh(" + x[i] + ")");
            // the Vector API's sigmoid (float32 lanes) may differ from the double route by up to 2.5 units where finite
            double exact = MathFunctions.sigmoid(x[i]);
            assertTrue(Float.isNaN(x[i]) ? Float.isNaN(sigmoid[i]) : ulps(sigmoid[i], exact) <= 2.5, "sigmoid(" + x[i] + ") = "
                    + sigmoid[i]);
        }
    }

    /** GELU_BACKWARD, GELU_TANH_BACKWARD or SILU_BACKWARD of gradients g (stride gs: 1, or 0 for g[0] everywhere) at x. */
    private static float[] geluBackward(BinaryOp op, float[] g, int gs, float[] x) {
        float[] o = new float[x.length];
        Float32Loops.binary(op, o, 0, g, 0, gs, x, 0, 1, x.length);
        return o;
    }

    @Test
    void geluBackward_withinAFewFloat32UnitsOfTheDoubleDerivative_exactAndTanh() {
        // GELU' crosses 0 near x = -0.75, where a relative bound means nothing: the bound is absolute, a few units of 1
        float[] x = grid();
        float[] g = new float[x.length];
        Random rnd = new Random(3);
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
        }
        float[] exact = geluBackward(BinaryOp.GELU_BACKWARD, g, 1, x);
        float[] tanh = geluBackward(BinaryOp.GELU_TANH_BACKWARD, g, 1, x);
        float[] ones = geluBackward(BinaryOp.GELU_BACKWARD, new float[] {1f}, 0, x);
        for (int i = 0; i < x.length; i++) {
            double d = MathFunctions.geluDerivative(x[i]);
            double dt = MathFunctions.geluTanhDerivative(x[i]);
            assertTrue(Math.abs(exact[i] - g[i] * d) <= 4e-7 * Math.max(1, Math.abs(g[i] * d)),
                    "gelu_backward(" + g[i] + ", " + x[i] + ") = " + exact[i] + ", exact " + g[i] * d);
            assertTrue(Math.abs(tanh[i] - g[i] * dt) <= 4e-7 * Math.max(1, Math.abs(g[i] * dt)),
                    "gelu_tanh_backward(" + g[i] + ", " + x[i] + ") = " + tanh[i] + ", exact " + g[i] * dt);
            assertTrue(Math.abs(ones[i] - d) <= 4e-7, "gelu'(" + x[i] + ") = " + ones[i] + ", exact " + d);
        }
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, 30f, -30f};
        float[] d = geluBackward(BinaryOp.GELU_BACKWARD, new float[] {1f}, 0, special);
        for (int i = 0; i < special.length; i++) {
            assertEquals((float) MathFunctions.geluDerivative(special[i]), d[i], "gelu'(" + special[i] + ")");
        }
    }
}
