package dev.kiln.cpu;

/** Special functions Java's Math lacks, to double precision. */
public final class MathFunctions {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    /** Terms the series may take (|x| &lt; 2.5 needs about 60). */
    private static final int SERIES_TERMS = 200;
    /** 2 / (2n + 1) for n &lt; SERIES_TERMS: a multiply per term instead of a divide (about 3x faster). */
    private static final double[] TWO_OVER_ODD = new double[SERIES_TERMS];

    static {
        for (int n = 0; n < SERIES_TERMS; n++) {
            TWO_OVER_ODD[n] = 2.0 / (2 * n + 1);
        }
    }

    private static final double SQRT1_2 = 0.7071067811865476;
    static final double SQRT_2_OVER_PI = 0.7978845608028654;
    /** 1 / sqrt(2 pi), the standard normal density's factor. */
    static final double INV_SQRT_2PI = 0.3989422804014327;
    /** The cubic's weight in GELU's tanh approximation. */
    static final double GELU_KAPPA = 0.044715;

    private MathFunctions() {
    }

    /** The logistic function 1 / (1 + e^-x). */
    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** SiLU, x sigmoid(x). */
    static double silu(double x) {
        return x * sigmoid(x);
    }

    /** SiLU's derivative, s (1 + x (1 - s)), s = sigmoid(x) (as PyTorch's silu_backward). */
    static double siluDerivative(double x) {
        double s = sigmoid(x);
        return s * (1 + x * (1 - s));
    }

    /** GELU, x Phi(x) = x (1 + erf(x / sqrt 2)) / 2. */
    static double gelu(double x) {
        return 0.5 * x * (1.0 + erf(x * SQRT1_2));
    }

    /** GELU's tanh approximation (PyTorch's approximate='tanh'). */
    static double geluTanh(double x) {
        return 0.5 * x * (1.0 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x)));
    }

    /** GELU's derivative, Phi(x) + x phi(x), phi the standard normal density (as PyTorch's gelu_backward). */
    static double geluDerivative(double x) {
        return 0.5 * (1.0 + erf(x * SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
    }

    /**
     * The tanh approximation's derivative: (1 + t) / 2 + x sech^2(u) u' / 2, t = tanh(u), u = sqrt(2/pi) (x + kappa x^3);
     * sech^2 = 4e / (1 + e)^2, e = e^(-2|u|), keeps its tiny values where 1 - t^2 would round to 0.
     */
    static double geluTanhDerivative(double x) {
        double u = SQRT_2_OVER_PI * (x + GELU_KAPPA * x * x * x);
        double e = Math.exp(-2 * Math.abs(u));
        double du = SQRT_2_OVER_PI * (1 + 3 * GELU_KAPPA * x * x);
        return 0.5 * (1 + Math.copySign((1 - e) / (1 + e), u)) + 0.5 * x * (4 * e / ((1 + e) * (1 + e))) * du;
    }

    /**
     * Gauss error function. |x| &lt; 2.5: erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!!, a
     * series of positive terms (no cancellation); beyond, 1 - erfc(x) with erfc's continued fraction.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 2.5) {
            double r = 1.0 - erfcLarge(a);
            return x < 0 ? -r : r;
        }
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < SERIES_TERMS; n++) {
            term *= x2 * TWO_OVER_ODD[n];
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(a) for a >= 2.5 by the continued fraction e^{-a^2}/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))). */
    static double erfcLarge(double a) {
        if (a > 27) {
            return 0;
        }
        double f = a;
        for (int k = 60; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
    }
}
