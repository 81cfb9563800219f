package dev.kiln.cpu;

/**
 * e^x for x &lt;= 0 over an array slice, in place, for results rounded to float32. Math.exp is a scalar
 * call (~4 ns); this is plain double arithmetic, which C2 vectorises (~0.7 ns): e^(x / 4096) by its
 * degree-9 Taylor polynomial (|x / 4096| &lt;= 0.19, truncation &lt; 1.2e-14), squared 12 times (the
 * relative error grows 4096-fold, to &lt; 1e-10: float32's half ulp is 3e-8). x below -746 gives 0, -inf gives 0, NaN stays NaN.
 * Only for float32 outputs: float64 results keep Math.exp's last-bit accuracy. Where the Vector API is in use the
 * slices go to its EXP instead ({@link VectorMath}: faster, and within 1 ulp of double).
 */
final class NonPositiveExp {
    private static final boolean VECTOR = CpuGemm.usesVectorApi();

    private NonPositiveExp() {
    }

    /** a[from, to) = e^a, on the Vector API's EXP ({@link VectorMath}) where it is in use, else as below. */
    static void inPlace(double[] a, int from, int to) {
        if (VECTOR) {
            VectorMath.exp(a, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            a[i] = of(a[i]);
        }
    }

    /** e^x for x &lt;= 0, as above: small enough for C2 to inline into a loop it vectorises. */
    static double of(double x) {
        double y = Math.max(x, -746.0) * (1.0 / 4096);
        double p = 1.0 / 362880;
        p = p * y + 1.0 / 40320;
        p = p * y + 1.0 / 5040;
        p = p * y + 1.0 / 720;
        p = p * y + 1.0 / 120;
        p = p * y + 1.0 / 24;
        p = p * y + 1.0 / 6;
        p = p * y + 0.5;
        p = p * y + 1.0;
        p = p * y + 1.0;
        p *= p; // 2^12 = 4096: twelve squarings
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p * p;
    }
}
