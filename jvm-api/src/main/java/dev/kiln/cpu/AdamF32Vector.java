package dev.kiln.cpu;

import dev.kiln.AdamParams;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuOptim#adam} for float32 tensors on the Vector API: half a vector of floats a load, widened to a double
 * vector, updated with the scalar path's double arithmetic in the same order (no fused multiply-adds; IEEE sqrt and
 * division round alike in both), narrowed once per stored value; so results are bit for bit the scalar path's, without
 * its widened scratch copies. Loaded only when {@link CpuGemm#usesVectorApi()}.
 */
final class AdamF32Vector {
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class,
            VectorShape.forBitSize(GemmF32Tiles.S.vectorBitSize()));
    /** Floats of D's lane count: half the width. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(GemmF32Tiles.S.vectorBitSize() / 2));
    private static final int LANES = D.length();

    private AdamF32Vector() {
    }

    /** The step on elements [from, to) of w (param), g (grad), m, v and vmax (null without AMSGrad), at their offsets. */
    static void adam(int from, int to, float[] w, int wo, float[] g, int go, float[] m, int mo, float[] v, int vo,
                     float[] vmax, int xo, AdamParams p) {
        double scale = p.paramScale();
        double l2 = p.l2();
        double b1 = p.beta1();
        double b2 = p.beta2();
        double eps = p.eps();
        double stepSize = p.stepSize();
        double bc2 = p.biasCorrection2Sqrt();
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            DoubleVector wi = widen(w, wo + i).mul(scale);
            DoubleVector gi = widen(g, go + i);
            if (l2 != 0) {
                gi = gi.add(wi.mul(l2));
            }
            DoubleVector mi = widen(m, mo + i).mul(b1).add(gi.mul(1 - b1));
            DoubleVector vi = widen(v, vo + i).mul(b2).add(gi.mul(1 - b2).mul(gi));
            narrow(mi, m, mo + i);
            narrow(vi, v, vo + i);
            if (vmax != null) {
                vi = widen(vmax, xo + i).lanewise(VectorOperators.MAX, vi); // Math.max: NaN propagates
                narrow(vi, vmax, xo + i);
            }
            narrow(wi.sub(mi.div(vi.sqrt().div(bc2).add(eps)).mul(stepSize)), w, wo + i);
        }
        for (; i < to; i++) { // the scalar path's loop, for the tail
            double wi = w[wo + i] * scale;
            double gi = l2 == 0 ? g[go + i] : g[go + i] + l2 * wi;
            double mi = b1 * m[mo + i] + (1 - b1) * gi;
            double vi = b2 * v[vo + i] + (1 - b2) * gi * gi;
            m[mo + i] = (float) mi;
            v[vo + i] = (float) vi;
            if (vmax != null) {
                vi = Math.max(vmax[xo + i], vi);
                vmax[xo + i] = (float) vi;
            }
            w[wo + i] = (float) (wi - stepSize * (mi / (Math.sqrt(vi) / bc2 + eps)));
        }
    }

    private static DoubleVector widen(float[] a, int at) {
        return (DoubleVector) FloatVector.fromArray(F, a, at).convertShape(VectorOperators.F2D, D, 0);
    }

    private static void narrow(DoubleVector d, float[] a, int at) {
        ((FloatVector) d.convertShape(VectorOperators.D2F, F, 0)).intoArray(a, at);
    }
}
