package dev.kiln.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 softmax / log-softmax along the last dim, forward and backward, row by row on the Vector API (the
 * GEMM's species): float32 arithmetic, exponentials from the API's EXP (the JIT's vector math routines, ~0.4 ns an
 * element against ~1.2 for the double path's widen, exponentiate and narrow), sums in lane-wise partial sums added
 * up at the end, as PyTorch's CPU kernels compute them; the double path rounds once, so results differ in the last
 * bits. Rows of -inf or with a NaN give NaN, as PyTorch. Loaded only when {@link CpuGemm#usesVectorApi()}.
 */
final class SoftmaxF32Vector {
    private static final VectorSpecies<Float> S = GemmF32Tiles.S;

    private SoftmaxF32Vector() {
    }

    /** y[yo, yo + len) = softmax (or log-softmax) of x[xo, xo + len); len >= 1. */
    static void forward(float[] x, int xo, float[] y, int yo, int len, boolean log) {
        float max = max(x, xo, len);
        float sum = exps(x, xo, y, yo, len, max);
        if (log) {
            shiftedLog(x, xo, y, yo, len, max, (float) Math.log(sum));
        } else {
            scale(y, yo, len, 1 / sum);
        }
    }

    /** The largest of x[xo, xo + len), NaN if any is (lane-wise max keeps NaN, as Math.max). */
    private static float max(float[] x, int xo, int len) {
        int bound = S.loopBound(len);
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += S.length()) {
            m = m.max(FloatVector.fromArray(S, x, xo + i));
        }
        float most = m.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < len; i++) {
            most = Math.max(most, x[xo + i]);
        }
        return most;
    }

    /** y = e^(x - max) over the row; returns their sum. */
    private static float exps(float[] x, int xo, float[] y, int yo, int len, float max) {
        int bound = S.loopBound(len);
        FloatVector shift = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, x, xo + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < len; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            y[yo + i] = e;
            sum += e;
        }
        return sum;
    }

    /** y = (x - max) - logSum: log-softmax. */
    private static void shiftedLog(float[] x, int xo, float[] y, int yo, int len, float max, float logSum) {
        int bound = S.loopBound(len);
        FloatVector shift = FloatVector.broadcast(S, max);
        FloatVector ls = FloatVector.broadcast(S, logSum);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).sub(shift).sub(ls).intoArray(y, yo + i);
        }
        for (int i = bound; i < len; i++) {
            y[yo + i] = x[xo + i] - max - logSum;
        }
    }

    private static void scale(float[] y, int yo, int len, float factor) {
        int bound = S.loopBound(len);
        FloatVector f = FloatVector.broadcast(S, factor);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector.fromArray(S, y, yo + i).mul(f).intoArray(y, yo + i);
        }
        for (int i = bound; i < len; i++) {
            y[yo + i] *= factor;
        }
    }

    /**
     * gx over a row from gy and the forward's output y: y (gy - sum(gy y)) for softmax, gy - e^y sum(gy) for
     * log-softmax. (Separate loops per case: a vector chosen by a condition is a merge C2 may box.)
     */
    static void backward(float[] gy, int go, float[] y, int yo, float[] gx, int xo, int len, boolean log) {
        if (log) {
            logBackward(gy, go, y, yo, gx, xo, len, sum(gy, go, len));
        } else {
            softmaxBackward(gy, go, y, yo, gx, xo, len, dot(gy, go, y, yo, len));
        }
    }

    private static float sum(float[] a, int ao, int len) {
        int bound = S.loopBound(len);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, a, ao + i));
        }
        float total = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < len; i++) {
            total += a[ao + i];
        }
        return total;
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int len) {
        int bound = S.loopBound(len);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float total = acc.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < len; i++) {
            total += a[ao + i] * b[bo + i];
        }
        return total;
    }

    /** gx = y (gy - dot). */
    private static void softmaxBackward(float[] gy, int go, float[] y, int yo, float[] gx, int xo, int len, float dot) {
        int bound = S.loopBound(len);
        FloatVector d = FloatVector.broadcast(S, dot);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, gy, go + i);
            FloatVector.fromArray(S, y, yo + i).mul(g.sub(d)).intoArray(gx, xo + i);
        }
        for (int i = bound; i < len; i++) {
            gx[xo + i] = y[yo + i] * (gy[go + i] - dot);
        }
    }

    /** gx = gy - e^y sum. */
    private static void logBackward(float[] gy, int go, float[] y, int yo, float[] gx, int xo, int len, float sum) {
        int bound = S.loopBound(len);
        FloatVector s = FloatVector.broadcast(S, sum);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, y, yo + i).lanewise(VectorOperators.EXP);
            FloatVector.fromArray(S, gy, go + i).sub(e.mul(s)).intoArray(gx, xo + i);
        }
        for (int i = bound; i < len; i++) {
            gx[xo + i] = gy[go + i] - (float) Math.exp(y[yo + i]) * sum;
        }
    }
}
