package dev.kiln.cpu;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;

/**
 * erf, GELU and SiLU (and their derivatives), tanh and sigmoid for float32 (and 16-bit) results over double scratch,
 * in passes C2 vectorises (a loop body over C2's unrolling limit is neither unrolled nor vectorised, so erfc's rational
 * part, its exponential and the final blend are three loops), with min / max in place of tests. {@link MathFunctions}' series and continued
 * fraction (double accuracy) took ~40-70 ns an element, which made GELU 39% of a small transformer's training time,
 * Math.tanh ~40 ns and the sigmoid's Math.exp ~7 (12% of a DDPM U-Net's, through SiLU); these take ~3-8. Accuracy:
 * relative error below 1.2e-7 before the rounding to float32, so within about one float32 unit. Where the Vector API
 * is in use, tanh and the sigmoid go to {@link VectorMath}'s float32 lanes instead (within 0.6 and 2.5 units), and the
 * exponentials of the others to its double EXP.
 * <ul>
 * <li>erfc(a), a &gt;= 0: t e^(P(t) - a^2), t = 1 / (1 + a / 2), P of degree 9 (Numerical Recipes' erfcc, a
 *     Chebyshev fit: fractional error below 1.2e-7 everywhere); the exponent is &lt;= 0, so e^ is
 *     {@link NonPositiveExp}.</li>
 * <li>erf(x): |x| &lt;= 1/2 by its Taylor series x P(x^2) (8 terms, truncation below 1e-9 relative), beyond by
 *     1 - erfc(|x|) (absolute error below 6e-8 where erf &gt;= 0.52); both are computed and one kept.</li>
 * <li>GELU(x) = x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2, so negative x keep their relative accuracy (1 + erf
 *     would cancel).</li>
 * <li>tanh(x): |x| &lt; 1/16 by its Taylor series x P(x^2) (5 terms, truncation below 1e-11 relative), beyond by
 *     (1 - e) / (1 + e), e = e^(-2|x|) (no cancellation left: 1 - e &gt; 0.11).</li>
 * <li>sigmoid(x): 1 / (1 + e) for x &gt; 0, e / (1 + e) otherwise, e = e^(-|x|): no cancellation on either side.</li>
 * <li>SiLU(x) = x s, s the sigmoid (as the sigmoid's own route), the product in double; SiLU'(x) = s (1 + x (1 - s))
 *     with s and 1 - s as 1 / (1 + e) and e / (1 + e), e = e^(-|x|) (1 - s never cancels), in float32 lanes where the
 *     Vector API is in use.</li>
 * </ul>
 * NaN stays NaN; erf(+-inf) = tanh(+-inf) = +-1, GELU(+inf) = +inf, GELU(-inf) = NaN (-inf * 0, as the double route).
 */
final class Float32Functions {
    private static final double SQRT1_2 = 0.7071067811865476;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    /** Beyond this |x| erf and tanh are 1 in float32 (and erfc's exponent would underflow anyway). */
    private static final double SATURATION = 10;
    /** Below this |x| tanh takes its series. */
    private static final double TANH_SERIES = 0.0625;
    /** Makes any positive difference at least 1 before min(1, .): a test as arithmetic. */
    private static final double STEP = 1e300;

    /** tanh and the sigmoid in float32 lanes on the Vector API ({@link VectorMath}) where it is in use. */
    private static final boolean VECTOR = CpuGemm.usesVectorApi();
    private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[0]);

    /** Each thread's scratch rows t and e, grown to the longest x seen (the callers' chunks: 1024-2048). */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[2][0]);

    private Float32Functions() {
    }

    static boolean has(UnaryOp op) {
        return op == UnaryOp.GELU || op == UnaryOp.ERF || op == UnaryOp.TANH || op == UnaryOp.SIGMOID || op == UnaryOp.SILU;
    }

    /** x[0, n) = op(x) for op GELU, ERF, TANH, SIGMOID or SILU. */
    static void apply(UnaryOp op, double[] x, int n) {
        double[][] s = scratch(n);
        switch (op) {
            case GELU -> gelu(x, s[0], s[1], n);
            case ERF -> erf(x, s[0], s[1], n);
            case SILU -> {
                double[] sig = s[1];
                System.arraycopy(x, 0, sig, 0, n);
                sigmoid(sig, s[0], n);
                for (int i = 0; i < n; i++) {
                    x[i] *= sig[i];
                }
            }
            case TANH -> {
                if (VECTOR) {
                    inFloat32Lanes(false, x, n);
                } else {
                    tanh(x, s[0], n);
                }
            }
            default -> sigmoid(x, s[0], n);
        }
    }

    /** x[0, n) = sigmoid(x), in float32 lanes where the Vector API is in use; e scratch of at least n. */
    private static void sigmoid(double[] x, double[] e, int n) {
        if (VECTOR) {
            inFloat32Lanes(true, x, n);
        } else {
            sigmoidInDouble(x, e, n);
        }
    }

    /**
     * x[0, n) = tanh(x) or sigmoid(x) by {@link VectorMath} on x rounded to float32 (exact for float32 and 16-bit values):
     * the float32 loops' routine, so every layout gets the same bits.
     */
    private static void inFloat32Lanes(boolean sigmoid, double[] x, int n) {
        inFloat32Lanes((f, m) -> VectorMath.tanhOrSigmoid(sigmoid, f, 0, f, 0, m), x, n);
    }

    /** A {@link VectorMath} routine over f[0, n) in place. */
    @FunctionalInterface
    private interface FloatLanes {
        void apply(float[] f, int n);
    }

    /** x[0, n) = lanes(x), x rounded to float32 (exact for float32 and 16-bit values) in this thread's float scratch. */
    private static void inFloat32Lanes(FloatLanes lanes, double[] x, int n) {
        float[] f = FLOATS.get();
        if (f.length < n) {
            f = new float[n];
            FLOATS.set(f);
        }
        for (int i = 0; i < n; i++) {
            f[i] = (float) x[i];
        }
        lanes.apply(f, n);
        for (int i = 0; i < n; i++) {
            x[i] = f[i];
        }
    }

    /** This thread's two scratch rows, of at least n. */
    private static double[][] scratch(int n) {
        double[][] s = SCRATCH.get();
        if (s[0].length < n) {
            s[0] = new double[n];
            s[1] = new double[n];
        }
        return s;
    }

    /** x[0, n) = sigmoid(x) in double; e scratch of at least n. */
    private static void sigmoidInDouble(double[] x, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            e[i] = -Math.abs(x[i]);
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double positive = Math.min(1.0, Math.max(0.0, x[i] * STEP));
            x[i] = (positive + (1 - positive) * e[i]) / (1 + e[i]);
        }
    }

    /** x[0, n) = tanh(x); e scratch of at least n. */
    private static void tanh(double[] x, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            e[i] = -2 * Math.max(Math.abs(x[i]), TANH_SERIES);    // the exponential branch, kept away from 0
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double c = Math.max(-SATURATION, Math.min(SATURATION, x[i])); // NaN stays NaN
            double a = Math.abs(c);
            double x2 = Math.min(c * c, TANH_SERIES * TANH_SERIES);
            double s = 62.0 / 2835;                                 // tanh(x) / x = 1 - x^2/3 + 2x^4/15 - ...
            s = s * x2 - 17.0 / 315;
            s = s * x2 + 2.0 / 15;
            s = s * x2 - 1.0 / 3;
            s = s * x2 + 1.0;
            double big = Math.max(a, TANH_SERIES);
            double tail = (1 - e[i]) / ((1 + e[i]) * big);          // tanh(|x|) / |x| for |x| >= 1/16
            double w = Math.min(1.0, Math.max(0.0, (a - TANH_SERIES) * STEP));
            x[i] = c * (s + w * (tail - s));
        }
    }

    /**
     * x[0, n) = GELU(x); t and e scratch of at least n. Every row indexed from 0, so C2 sees no overlap between them
     * and vectorises.
     */
    private static void gelu(double[] x, double[] t, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            erfcParts(Math.abs(x[i]) * SQRT1_2, t, e, i);
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double r = t[i] * e[i];                                   // erfc(|x| / sqrt 2)
            double positive = Math.min(1.0, Math.max(0.0, xi * STEP)); // erfc(-z) = 2 - erfc(z)
            x[i] = 0.5 * xi * (r + positive * (2 - 2 * r));
        }
    }

    /**
     * x[0, n) = the derivative of op's function (GELU_BACKWARD, GELU_TANH_BACKWARD, SILU_BACKWARD) for float32 and 16-bit
     * results: GELU'(x) = Phi(x) + x phi(x) (exact) or the tanh approximation's, Phi as in {@link #gelu}, phi(x) =
     * e^(-x^2 / 2) / sqrt(2 pi) by {@link NonPositiveExp}; SiLU'(x) = s (1 + x (1 - s)), s the sigmoid.
     */
    static void derivative(BinaryOp op, double[] x, int n) {
        double[][] s = scratch(n);
        if (op == BinaryOp.SILU_BACKWARD) {
            siluDerivative(x, s[0], n);
            return;
        }
        geluDerivative(op == BinaryOp.GELU_TANH_BACKWARD, x, n);
    }

    /**
     * x[0, n) = SiLU'(x) = s (1 + x (1 - s)), s = sigmoid(x): in float32 lanes by {@link VectorMath} where the Vector API
     * is in use, else in double, s and 1 - s as 1 / (1 + e) and e / (1 + e), e = e^-|x| (1 - s never cancels); e scratch.
     */
    private static void siluDerivative(double[] x, double[] e, int n) {
        if (VECTOR) {
            inFloat32Lanes((f, m) -> VectorMath.siluDerivative(f, 0, f, 0, m), x, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            e[i] = -Math.abs(x[i]);
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double r = 1 / (1 + e[i]);
            double positive = Math.min(1.0, Math.max(0.0, x[i] * STEP));
            double s = positive * r + (1 - positive) * e[i] * r;
            double c = positive * e[i] * r + (1 - positive) * r;
            x[i] = s * (1 + x[i] * c);
        }
    }

    /** x[0, n) = GELU'(x) (exact) or the tanh approximation's derivative (tanh). */
    private static void geluDerivative(boolean tanh, double[] x, int n) {
        double[][] s = scratch(n);
        if (tanh) {
            geluTanhDerivative(x, s[0], s[1], n);
            return;
        }
        double[] t = s[0];
        double[] e = s[1];
        for (int i = 0; i < n; i++) {
            erfcParts(Math.abs(x[i]) * SQRT1_2, t, e, i);
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            t[i] *= e[i];                                             // erfc(|x| / sqrt 2)
            e[i] = -0.5 * x[i] * x[i];
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double positive = Math.min(1.0, Math.max(0.0, xi * STEP)); // erfc(-z) = 2 - erfc(z)
            x[i] = 0.5 * (t[i] + positive * (2 - 2 * t[i])) + xi * e[i] * MathFunctions.INV_SQRT_2PI;
        }
    }

    /**
     * x[0, n) = (1 + t) / 2 + x sech^2(u) u' / 2, t = tanh(u), u = sqrt(2/pi) (x + kappa x^3); u and e scratch. From
     * e = e^(-2|u|): t = sign(u) (1 - e) / (1 + e) and sech^2 = 4e / (1 + e)^2, which reaches 0 where 1 - t^2 would
     * leave tanh's last bits times a large x u'.
     */
    private static void geluTanhDerivative(double[] x, double[] u, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            u[i] = MathFunctions.SQRT_2_OVER_PI * (x[i] + MathFunctions.GELU_KAPPA * x[i] * x[i] * x[i]);
            e[i] = -2 * Math.abs(u[i]);
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double du = MathFunctions.SQRT_2_OVER_PI * (1 + 3 * MathFunctions.GELU_KAPPA * xi * xi);
            double t = Math.copySign((1 - e[i]) / (1 + e[i]), u[i]);
            double sech2 = 4 * e[i] / ((1 + e[i]) * (1 + e[i]));
            x[i] = 0.5 * (1 + t) + 0.5 * xi * sech2 * du;
        }
    }

    /** x[0, n) = erf(x); t and e scratch of at least n. */
    private static void erf(double[] x, double[] t, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            erfcParts(Math.max(Math.abs(x[i]), 0.5), t, e, i); // the 1 - erfc branch, kept finite
        }
        NonPositiveExp.inPlace(e, 0, n);
        for (int i = 0; i < n; i++) {
            double c = Math.max(-SATURATION, Math.min(SATURATION, x[i])); // NaN stays NaN
            double a = Math.abs(c);
            double x2 = Math.min(c * c, 0.25);                     // the series' branch, kept finite
            double s = -1.0 / 75600;                               // (-1)^k / (k! (2k + 1)), k = 7 .. 0
            s = s * x2 + 1.0 / 9360;
            s = s * x2 - 1.0 / 1320;
            s = s * x2 + 1.0 / 216;
            s = s * x2 - 1.0 / 42;
            s = s * x2 + 1.0 / 10;
            s = s * x2 - 1.0 / 3;
            s = s * x2 + 1.0;
            double series = TWO_OVER_SQRT_PI * s;                  // erf(x) / x for |x| <= 1/2
            double big = Math.max(a, 0.5);
            double tail = (1 - t[i] * e[i]) / big;                 // erf(|x|) / |x| for |x| >= 1/2
            double w = Math.min(1.0, Math.max(0.0, (a - 0.5) * STEP));
            x[i] = c * (series + w * (tail - series));
        }
    }

    /** t[i] = 1 / (1 + a / 2), e[i] = P(t) - a^2 (&lt;= 0): erfc(a) = t e^e[i] once e is exponentiated. */
    private static void erfcParts(double a, double[] t, double[] e, int i) {
        double ti = 1 / (1 + 0.5 * a);
        double p = 0.17087277;
        p = p * ti - 0.82215223;
        p = p * ti + 1.48851587;
        p = p * ti - 1.13520398;
        p = p * ti + 0.27886807;
        p = p * ti - 0.18628806;
        p = p * ti + 0.09678418;
        p = p * ti + 0.37409196;
        p = p * ti + 1.00002368;
        p = p * ti - 1.26551223;
        t[i] = ti;
        e[i] = Math.min(0.0, p - a * a);
    }
}
