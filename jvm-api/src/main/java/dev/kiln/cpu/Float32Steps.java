package dev.kiln.cpu;

import dev.kiln.AdamParams;
import dev.kiln.SgdParams;

/**
 * The optimizer steps' float32 loops over elements [from, to) of arrays that hold their tensors at the same
 * indices, in float32 arithmetic (the hyper-parameters rounded to float once), with torch.optim's operation order.
 * The tests on hyper-parameters are loop-invariant: C2 unswitches them and vectorises each loop.
 */
final class Float32Steps {
    private Float32Steps() {
    }

    /** w -= lr d, d the gradient with weight decay and (Nesterov) momentum; b the momentum buffer or null. */
    static void sgd(float[] w, float[] g, float[] b, int from, int to, SgdParams p) {
        float lr = (float) p.lr();
        float mu = (float) p.momentum();
        float keep = (float) (1 - p.dampening());
        float wd = (float) p.weightDecay();
        boolean first = p.firstStep();
        boolean nesterov = p.nesterov();
        for (int i = from; i < to; i++) {
            float d = wd == 0 ? g[i] : g[i] + wd * w[i];
            if (b != null) {
                b[i] = first ? d : mu * b[i] + keep * d;
                d = nesterov ? d + mu * b[i] : b[i];
            }
            w[i] -= lr * d;
        }
    }

    /** Adam / AdamW: m, v the moments, vmax AMSGrad's running maximum of v or null. */
    static void adam(float[] w, float[] g, float[] m, float[] v, float[] vmax, int from, int to, AdamParams p) {
        float scale = (float) p.paramScale();
        float l2 = (float) p.l2();
        float b1 = (float) p.beta1();
        float keep1 = (float) (1 - p.beta1());
        float b2 = (float) p.beta2();
        float keep2 = (float) (1 - p.beta2());
        float eps = (float) p.eps();
        float stepSize = (float) p.stepSize();
        float bc2 = (float) p.biasCorrection2Sqrt();
        // two call sites, so each inlined copy knows whether vmax is null and only l2's test is left to unswitch
        // (with both tests in one loop C2 unswitched one and left the loop scalar: 10x slower)
        if (vmax == null) {
            adam(w, g, m, v, null, from, to, scale, l2, b1, keep1, b2, keep2, eps, stepSize, bc2);
        } else {
            adam(w, g, m, v, vmax, from, to, scale, l2, b1, keep1, b2, keep2, eps, stepSize, bc2);
        }
    }

    private static void adam(float[] w, float[] g, float[] m, float[] v, float[] vmax, int from, int to, float scale,
                             float l2, float b1, float keep1, float b2, float keep2, float eps, float stepSize, float bc2) {
        for (int i = from; i < to; i++) {
            float wi = w[i] * scale;
            float gi = l2 == 0 ? g[i] : g[i] + l2 * wi;
            float mi = b1 * m[i] + keep1 * gi;
            float vi = b2 * v[i] + keep2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            if (vmax != null) {
                vi = Math.max(vmax[i], vi); // NaN propagates, as torch.maximum
                vmax[i] = vi;
            }
            w[i] = wi - stepSize * (mi / ((float) Math.sqrt(vi) / bc2 + eps));
        }
    }
}
