package dev.kiln.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Array slices through the Vector API's math routines (the JIT's vector math library), for float32 (and 16-bit)
 * results, measured on Zen 5 over a dense grid: e^x on doubles within 1 ulp of double (~0.4 ns an element against
 * {@link NonPositiveExp}'s ~1.1); tanh on floats within 0.6 float32 ulp (~0.6 ns against ~2.8 for
 * {@link Float32Functions}' double series and exponential); the sigmoid on floats as 1 / (1 + e^-x), within 2.5 float32
 * ulp (~0.7 ns against ~2); SiLU's derivative on floats from e^-|x|. A slice's last partial vector goes through a whole
 * one padded in scratch (masked math runs the API's Java fallback, ~50x slower, allocating as it goes), so every
 * element gets the same routine wherever the slice starts: results keep the same bits on every layout. Loaded only
 * when {@link CpuGemm#usesVectorApi()}.
 */
final class VectorMath {
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, GemmF32Tiles.S.vectorShape());
    private static final VectorSpecies<Float> F = GemmF32Tiles.S;
    /** Below this the sigmoid is e^x itself (1 + e^x rounds to 1), and e^-x would overflow float32 past -88.7. */
    private static final float SIGMOID_TAIL = -80f;

    /** A thread's whole vectors for a slice's last partial one (lanes past the slice hold stale values: unused). */
    private record Tail(double[] doubles, float[] floats) {
    }

    private static final ThreadLocal<Tail> TAIL = ThreadLocal.withInitial(() -> new Tail(new double[D.length()],
            new float[F.length()]));

    private VectorMath() {
    }

    /** a[from, to) = e^a. */
    static void exp(double[] a, int from, int to) {
        int i = from;
        for (int bound = from + D.loopBound(to - from); i < bound; i += D.length()) {
            DoubleVector.fromArray(D, a, i).lanewise(VectorOperators.EXP).intoArray(a, i);
        }
        if (i < to) {
            double[] pad = TAIL.get().doubles;
            System.arraycopy(a, i, pad, 0, to - i);
            DoubleVector.fromArray(D, pad, 0).lanewise(VectorOperators.EXP).intoArray(pad, 0);
            System.arraycopy(pad, 0, a, i, to - i);
        }
    }

    /**
     * o[oo + i] = tanh(a[ao + i]) (sigmoid when {@code sigmoid}) for i &lt; n; o and a may be one array, oo = ao. A loop
     * per function: a vector chosen by a condition is a merge C2 may box.
     */
    static void tanhOrSigmoid(boolean sigmoid, float[] a, int ao, float[] o, int oo, int n) {
        if (sigmoid) {
            sigmoid(a, ao, o, oo, n);
        } else {
            tanh(a, ao, o, oo, n);
        }
    }

    private static void tanh(float[] a, int ao, float[] o, int oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, a, ao + i).lanewise(VectorOperators.TANH).intoArray(o, oo + i);
        }
        if (i < n) {
            float[] pad = TAIL.get().floats;
            System.arraycopy(a, ao + i, pad, 0, n - i);
            FloatVector.fromArray(F, pad, 0).lanewise(VectorOperators.TANH).intoArray(pad, 0);
            System.arraycopy(pad, 0, o, oo + i, n - i);
        }
    }

    private static void sigmoid(float[] a, int ao, float[] o, int oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            sigmoid(FloatVector.fromArray(F, a, ao + i)).intoArray(o, oo + i);
        }
        if (i < n) {
            float[] pad = TAIL.get().floats;
            System.arraycopy(a, ao + i, pad, 0, n - i);
            sigmoid(FloatVector.fromArray(F, pad, 0)).intoArray(pad, 0);
            System.arraycopy(pad, 0, o, oo + i, n - i);
        }
    }

    /** o[oo + i] = SiLU(a[ao + i]) = a sigmoid(a) for i &lt; n, the sigmoid as {@link #tanhOrSigmoid}'s; o may be a, oo = ao. */
    static void silu(float[] a, int ao, float[] o, int oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, a, ao + i);
            x.mul(sigmoid(x)).intoArray(o, oo + i);
        }
        if (i < n) {
            float[] pad = TAIL.get().floats;
            System.arraycopy(a, ao + i, pad, 0, n - i);
            FloatVector x = FloatVector.fromArray(F, pad, 0);
            x.mul(sigmoid(x)).intoArray(pad, 0);
            System.arraycopy(pad, 0, o, oo + i, n - i);
        }
    }

    /** o[oo + i] = g[go + i] SiLU'(x[xo + i]) for i &lt; n, SiLU' as {@link #siluDerivative}'s; o may be g or x. */
    static void siluBackward(float[] g, int go, float[] x, int xo, float[] o, int oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, g, go + i).mul(siluDerivative(FloatVector.fromArray(F, x, xo + i))).intoArray(o, oo + i);
        }
        if (i < n) { // the last partial vector: its derivatives through a padded whole one, as everywhere
            float[] pad = TAIL.get().floats;
            System.arraycopy(x, xo + i, pad, 0, n - i);
            siluDerivative(FloatVector.fromArray(F, pad, 0)).intoArray(pad, 0);
            for (int j = 0; i + j < n; j++) {
                o[oo + i + j] = g[go + i + j] * pad[j];
            }
        }
    }

    /** o[oo + i] = SiLU'(a[ao + i]) for i &lt; n; o and a may be one array, oo = ao. */
    static void siluDerivative(float[] a, int ao, float[] o, int oo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            siluDerivative(FloatVector.fromArray(F, a, ao + i)).intoArray(o, oo + i);
        }
        if (i < n) {
            float[] pad = TAIL.get().floats;
            System.arraycopy(a, ao + i, pad, 0, n - i);
            siluDerivative(FloatVector.fromArray(F, pad, 0)).intoArray(pad, 0);
            System.arraycopy(pad, 0, o, oo + i, n - i);
        }
    }

    /**
     * s (1 + x (1 - s)), s = sigmoid(x), with s and 1 - s as r = 1 / (1 + e) and e r, e = e^-|x| (which is which by x's
     * sign): 1 - s never cancels.
     */
    private static FloatVector siluDerivative(FloatVector x) {
        FloatVector e = x.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector r = FloatVector.broadcast(F, 1f).div(e.add(1f));
        FloatVector er = e.mul(r);
        VectorMask<Float> negative = x.lt(0f);
        return r.blend(er, negative).mul(x.mul(er.blend(r, negative)).add(1f));
    }

    /** 1 / (1 + e^-x), and e^x below SIGMOID_TAIL; NaN stays NaN. */
    private static FloatVector sigmoid(FloatVector x) {
        FloatVector y = x.max(SIGMOID_TAIL).neg().lanewise(VectorOperators.EXP).add(1f);
        y = FloatVector.broadcast(F, 1f).div(y);
        VectorMask<Float> tail = x.lt(SIGMOID_TAIL);
        return tail.anyTrue() ? y.blend(x.lanewise(VectorOperators.EXP), tail) : y;
    }
}
