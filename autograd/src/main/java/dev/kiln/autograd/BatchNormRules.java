package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.plus;
import static dev.kiln.autograd.Rule.Saves.INPUTS;

import dev.kiln.Functional;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;
import java.util.Arrays;

/**
 * batch_norm's rule; inputs x (N, C, *), weight, bias, mean, invstd (C). With xhat = (x - mean) invstd
 * and M values per channel, training (mean and invstd are x's own statistics):
 * gx = weight invstd (g - mean(g) - xhat mean(g xhat)); else gx = weight invstd g, and the given
 * statistics get gmean = -sum(g) invstd weight, ginvstd = sum(g (x - mean)) weight. Always
 * gweight = sum(g xhat), gbias = sum(g). Without createGraph the two sums come from one fused reduction and
 * gx from one elementwise pass (PyTorch's batch_norm_backward); with it, the same formulas in tensor ops,
 * the statistics recomputed from x, so the gradient is differentiable again.
 */
final class BatchNormRules {
    private BatchNormRules() {
    }

    static Rule batchNorm(Op.BatchNorm op) {
        return Rule.of(INPUTS, (n, g) -> GradMode.isEnabled() ? differentiable(n, op, g[0]) : fused(n, op, g[0]),
                (n, t) -> new Tensor[] {tangent(n, op, t)});
    }

    private static Tensor[] fused(Node n, Op.BatchNorm op, Tensor g) {
        Tensor x = n.input(0);
        Tensor w = n.input(1);
        Tensor mean = n.input(3);
        Tensor invstd = n.input(4);
        boolean sums = op.training() || n.needsGrad(1) || n.needsGrad(2) || n.needsGrad(3) || n.needsGrad(4);
        Tensor[] s = sums ? Functional.batchNormBackwardReduce(g, x, mean) : null; // sum(g), sum(g (x - mean))
        Tensor gx = null;
        if (n.needsGrad(0)) {
            gx = op.training()
                    ? Functional.batchNormBackwardElemt(g, x, mean, invstd, w, s[0], s[1], perChannel(n))
                    : Functional.batchNormBackwardElemt(g, x, mean, invstd, w, null, null, perChannel(n));
        }
        return new Tensor[] {gx,
            n.needsGrad(1) ? s[1].mul(invstd).reshape(n.inputShapes[1]) : null,
            n.needsGrad(2) ? s[0].reshape(n.inputShapes[2]) : null,
            n.needsGrad(3) ? s[0].mul(invstd).mul(w).neg().reshape(n.inputShapes[3]) : null,
            n.needsGrad(4) ? s[1].mul(w).reshape(n.inputShapes[4]) : null};
    }

    private static Tensor[] differentiable(Node n, Op.BatchNorm op, Tensor g) {
        Tensor x = n.input(0);
        int[] dims = reduced(x);
        int[] bc = broadcast(x);
        Tensor mean = op.training() ? x.mean(dims, true) : n.input(3).reshape(bc);
        Tensor invstd = op.training() ? x.var(dims, 0, true).add(op.eps()).rsqrt() : n.input(4).reshape(bc);
        Tensor w = n.input(1).reshape(bc);
        Tensor centered = x.sub(mean);
        Tensor xhat = centered.mul(invstd);
        Tensor gx = null;
        if (n.needsGrad(0)) {
            Tensor d = op.training() ? g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true))) : g;
            gx = d.mul(invstd.mul(w));
        }
        return new Tensor[] {gx,
            n.needsGrad(1) ? g.mul(xhat).sum(dims).reshape(n.inputShapes[1]) : null,
            n.needsGrad(2) ? g.sum(dims).reshape(n.inputShapes[2]) : null,
            n.needsGrad(3) ? g.mul(invstd.mul(w)).sum(dims).neg().reshape(n.inputShapes[3]) : null,
            n.needsGrad(4) ? g.mul(centered).mul(w).sum(dims).reshape(n.inputShapes[4]) : null};
    }

    /** The output's tangent: the linearisation of the formulas above, per input tangent t[i] (null: zero). */
    private static Tensor tangent(Node n, Op.BatchNorm op, Tensor[] t) {
        Tensor x = n.input(0);
        int[] dims = reduced(x);
        int[] bc = broadcast(x);
        Tensor w = n.input(1).reshape(bc);
        Tensor mean = n.input(3).reshape(bc);
        Tensor invstd = n.input(4).reshape(bc);
        Tensor xhat = x.sub(mean).mul(invstd);
        Tensor viaX = null;
        if (t[0] != null) {
            Tensor d = op.training() ? t[0].sub(t[0].mean(dims, true)).sub(xhat.mul(xhat.mul(t[0]).mean(dims, true))) : t[0];
            viaX = d.mul(invstd.mul(w));
        }
        Tensor ty = plus(viaX,
                t[1] == null ? null : xhat.mul(t[1].reshape(bc)),
                t[2] == null ? null : t[2].reshape(bc),
                t[3] == null ? null : t[3].reshape(bc).mul(invstd.mul(w)).neg(),
                t[4] == null ? null : x.sub(mean).mul(t[4].reshape(bc)).mul(w));
        return ty == null ? null : ty.expand(n.outputShapes[0]);
    }

    /** Values per channel: N times the product of the dims after C. */
    private static long perChannel(Node n) {
        int[] shape = n.inputShapes[0];
        long values = 1;
        for (int d = 0; d < shape.length; d++) {
            values *= d == 1 ? 1 : shape[d];
        }
        return values;
    }

    /** Every dim of x but the channel dim 1. */
    private static int[] reduced(Tensor x) {
        int[] dims = new int[x.dim() - 1];
        dims[0] = 0;
        for (int i = 1; i < dims.length; i++) {
            dims[i] = i + 1;
        }
        return dims;
    }

    /** (1, C, 1, ...): a per-channel vector broadcast over x. */
    private static int[] broadcast(Tensor x) {
        int[] shape = new int[x.dim()];
        Arrays.fill(shape, 1);
        shape[1] = x.size(1);
        return shape;
    }
}
