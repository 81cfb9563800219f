package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.plus;
import static dev.kiln.autograd.Rule.Saves.BOTH;
import static dev.kiln.autograd.Rule.Saves.INPUTS;
import static dev.kiln.autograd.Rule.Saves.NOTHING;
import static dev.kiln.autograd.Rule.Saves.OUTPUTS;

import dev.kiln.AttentionParams;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;

/**
 * Derivative rules of the fused primitives: each uses the backward primitive, and the backward
 * primitives have rules too, so second derivatives work (attention's backward excepted).
 */
final class NnRules {
    private NnRules() {
    }

    static Rule conv2d(Op.Conv2d c) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? Functional.conv2dBackwardInput(g[0], n.input(1), n.inputShapes[0], c.params()) : null,
            n.needsGrad(1) ? Functional.conv2dBackwardWeight(g[0], n.input(0), n.inputShapes[1], c.params()) : null,
            n.inputShapes.length > 2 && n.needsGrad(2) ? g[0].sum(0, 2, 3) : null},
            (n, t) -> {
                Tensor y = plus(t[0] == null ? null : Functional.conv2d(t[0], n.input(1), null, c.params()),
                        t[1] == null ? null : Functional.conv2d(n.input(0), t[1], null, c.params()));
                Tensor tb = t.length > 2 && t[2] != null ? t[2].reshape(1, -1, 1, 1) : null;
                return new Tensor[] {plus(y, tb).expand(n.outputShapes[0])};
            });
    }

    /** gx = B_in(gy, w), bilinear; its adjoints are conv2d (in gy) and B_w (in w). */
    static Rule conv2dBackwardInput(Op.Conv2dBackwardInput c) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? Functional.conv2d(g[0], n.input(1), null, c.params()) : null,
            n.needsGrad(1) ? Functional.conv2dBackwardWeight(n.input(0), g[0], n.inputShapes[1], c.params()) : null},
            (n, t) -> new Tensor[] {plus(
                t[0] == null ? null : Functional.conv2dBackwardInput(t[0], n.input(1), c.inputShape(), c.params()),
                t[1] == null ? null : Functional.conv2dBackwardInput(n.input(0), t[1], c.inputShape(), c.params()))});
    }

    static Rule conv2dBackwardWeight(Op.Conv2dBackwardWeight c) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? Functional.conv2d(n.input(1), g[0], null, c.params()) : null,
            n.needsGrad(1) ? Functional.conv2dBackwardInput(n.input(0), g[0], n.inputShapes[1], c.params()) : null},
            (n, t) -> new Tensor[] {plus(
                t[0] == null ? null : Functional.conv2dBackwardWeight(t[0], n.input(1), c.weightShape(), c.params()),
                t[1] == null ? null : Functional.conv2dBackwardWeight(n.input(0), t[1], c.weightShape(), c.params()))});
    }

    static Rule maxPool2d(Op.MaxPool2d m) {
        return Rule.firstOutputOnly(OUTPUTS, (n, g) -> new Tensor[] {
            Functional.maxPool2dBackward(g[0], n.output(1), n.inputShapes[0], m.params())},
            (n, t) -> new Tensor[] {gatherPlanes(t[0], n.output(1))});
    }

    static Rule maxPool2dBackward(Op.MaxPool2dBackward m) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {gatherPlanes(g[0], n.input(1)), null},
                (n, t) -> new Tensor[] {Functional.maxPool2dBackward(t[0], n.input(1), m.inputShape(), m.params())});
    }

    static Rule avgPool2d(Op.AvgPool2d a) {
        return Rule.of(NOTHING, (n, g) -> new Tensor[] {Functional.avgPool2dBackward(g[0], n.inputShapes[0], a.params())},
                (n, t) -> new Tensor[] {Functional.avgPool2d(t[0], a.params())});
    }

    static Rule avgPool2dBackward(Op.AvgPool2dBackward a) {
        return Rule.of(NOTHING, (n, g) -> new Tensor[] {Functional.avgPool2d(g[0], a.params())},
                (n, t) -> new Tensor[] {Functional.avgPool2dBackward(t[0], a.inputShape(), a.params())});
    }

    static Rule softmax(Op.Softmax s) {
        return Rule.of(OUTPUTS, (n, g) -> new Tensor[] {s.log()
            ? Functional.logSoftmaxBackward(g[0], n.output(0), s.dim())
            : Functional.softmaxBackward(g[0], n.output(0), s.dim())},
            (n, t) -> {
                Tensor y = n.output(0);
                Tensor p = s.log() ? y.exp() : y;
                Tensor mean = p.mul(t[0]).sum(new int[] {s.dim()}, true);
                return new Tensor[] {s.log() ? t[0].sub(mean) : y.mul(t[0].sub(mean))};
            });
    }

    static Rule softmaxBackward(Op.SoftmaxBackward s) {
        return s.log() ? logSoftmaxBackwardRule(s.dim()) : softmaxBackwardRule(s.dim());
    }

    static Rule attention(Op.Attention a) {
        return Rule.firstOutputOnly(BOTH, (n, g) -> attentionBackward(n, a, g[0]), (n, t) -> AttentionJvp.apply(n, a, t));
    }

    static final Rule ATTENTION_BACKWARD = Rule.of(NOTHING, NnRules::refuseDoubleBackward, NnRules::refuseDoubleBackward);

    private static Tensor[] refuseDoubleBackward(Node n, Tensor[] g) {
        throw new UnsupportedOperationException("scaled_dot_product_attention: double backward is not supported"
                + " (its backward is a fused primitive without a derivative rule)");
    }

    static Rule dropout(Op.Dropout d) {
        return Rule.firstOutputOnly(OUTPUTS, (n, g) -> new Tensor[] {keep(g[0], n, d)}, (n, t) -> new Tensor[] {keep(t[0], n, d)});
    }

    static final Rule BINARY_CROSS_ENTROPY = Rule.of(INPUTS, (n, g) -> new Tensor[] {
        n.needsGrad(0) ? g[0].mul(bceInputGrad(n)) : null,
        n.needsGrad(1) ? g[0].mul(bceTargetGrad(n)) : null},
        (n, t) -> new Tensor[] {plus(t[0] == null ? null : t[0].mul(bceInputGrad(n)),
                t[1] == null ? null : t[1].mul(bceTargetGrad(n)))});

    /**
     * d bce / d x = (x - y) / max(x (1 - x), eps), as PyTorch's binary_cross_entropy_backward: finite at
     * x = 0 and 1, where differentiating the clamped logs would multiply a zero by 1 / 0. eps is PyTorch's
     * float 1e-12, so float64 gradients match its to the last digit.
     */
    private static Tensor bceInputGrad(Node n) {
        Tensor x = n.input(0);
        return x.sub(n.input(1)).div(x.mul(x.rsub(1)).clamp(1e-12f, Double.POSITIVE_INFINITY));
    }

    /** d bce / d y = -logit(x) = log(1 - x) - log(x), as PyTorch's binary_cross_entropy_target_backward. */
    private static Tensor bceTargetGrad(Node n) {
        Tensor x = n.input(0);
        return x.rsub(1).log().sub(x.log());
    }

    /** g scaled where the dropout mask kept the element, zero elsewhere. */
    private static Tensor keep(Tensor g, Node n, Op.Dropout d) {
        return g.mul(n.output(1).to(g.dtype())).mul(1.0 / (1.0 - d.p()));
    }

    /** t (N, C, H, W) read at flat plane positions idx (N, C, OH, OW). */
    private static Tensor gatherPlanes(Tensor t, Tensor idx) {
        return t.flatten(2, 3).gather(2, idx.flatten(2, 3)).reshape(idx.shape());
    }

    /** gx = y * (gy - s), s = sum(gy * y); inputs gy, y. */
    private static Rule softmaxBackwardRule(int dim) {
        int[] d = {dim};
        return Rule.of(INPUTS, (n, g) -> {
            Tensor gy = n.input(0);
            Tensor y = n.input(1);
            Tensor s = gy.mul(y).sum(d, true);
            return new Tensor[] {
                n.needsGrad(0) ? Functional.softmaxBackward(g[0], y, dim) : null,
                n.needsGrad(1) ? g[0].mul(gy.sub(s)).sub(gy.mul(g[0].mul(y).sum(d, true))) : null};
        }, (n, t) -> {
            Tensor gy = n.input(0);
            Tensor y = n.input(1);
            Tensor s = gy.mul(y).sum(d, true);
            Tensor viaGy = t[0] == null ? null : Functional.softmaxBackward(t[0], y, dim);
            Tensor viaY = t[1] == null ? null : t[1].mul(gy.sub(s)).sub(y.mul(gy.mul(t[1]).sum(d, true)));
            return new Tensor[] {plus(viaGy, viaY)};
        });
    }

    /** gx = gy - exp(y) * sum(gy); inputs gy, y (log-probabilities). */
    private static Rule logSoftmaxBackwardRule(int dim) {
        int[] d = {dim};
        return Rule.of(INPUTS, (n, g) -> {
            Tensor gy = n.input(0);
            Tensor p = n.input(1).exp();
            return new Tensor[] {
                n.needsGrad(0) ? g[0].sub(g[0].mul(p).sum(d, true)) : null,
                n.needsGrad(1) ? g[0].mul(p).mul(gy.sum(d, true)).neg() : null};
        }, (n, t) -> {
            Tensor gy = n.input(0);
            Tensor p = n.input(1).exp();
            Tensor viaGy = t[0] == null ? null : t[0].sub(p.mul(t[0].sum(d, true)));
            Tensor viaY = t[1] == null ? null : p.mul(t[1]).mul(gy.sum(d, true)).neg();
            return new Tensor[] {plus(viaGy, viaY)};
        });
    }

    private static Tensor[] attentionBackward(Node n, Op.Attention a, Tensor g) {
        boolean hasMask = n.inputShapes.length > 3;
        if (hasMask && n.needsGrad(3)) {
            throw new UnsupportedOperationException("scaled_dot_product_attention: the gradient with respect to attn_mask"
                    + " is not supported; detach the mask");
        }
        Tensor[] r = Functional.attentionBackward(g, n.input(0), n.input(1), n.input(2), n.output(0), n.output(1),
                new AttentionParams(hasMask ? n.input(3) : null, a.causal(), a.scale()));
        return new Tensor[] {r[0], r[1], r[2], null};
    }
}
