package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.one;
import static dev.kiln.autograd.Grads.sumTo;
import static dev.kiln.autograd.Rule.Saves.NOTHING;
import static dev.kiln.autograd.Rule.Saves.OUTPUTS;

import dev.kiln.Tensor;
import dev.kiln.graph.Op;

/** Derivative rules of views and copies: each moves the gradient back to the input's layout, dtype or device. */
final class ViewRules {
    private ViewRules() {
    }

    static final Rule CLONE = Rule.of(NOTHING, (n, g) -> one(g[0]), (n, t) -> one(t[0].clone()));

    static Rule reshape(Op.Reshape r) {
        return Rule.of(NOTHING, (n, g) -> one(g[0].reshape(r.inputShape())), (n, t) -> one(t[0].reshape(n.outputShapes[0])));
    }

    static Rule permute(Op.Permute p) {
        int[] inv = new int[p.dims().length];
        for (int i = 0; i < inv.length; i++) {
            inv[p.dims()[i]] = i;
        }
        return Rule.of(NOTHING, (n, g) -> one(g[0].permute(inv)), (n, t) -> one(t[0].permute(p.dims())));
    }

    static Rule expand(Op.Expand e) {
        return Rule.of(NOTHING, (n, g) -> one(sumTo(g[0], e.inputShape())), (n, t) -> one(t[0].expand(n.outputShapes[0])));
    }

    static Rule slice(Op.Slice s) {
        return Rule.of(NOTHING, (n, g) -> one(Grads.zeros(s.inputShape(), g[0].dtype(), g[0].device())
                        .indexAdd(s.dim(), Grads.positions(s.start(), s.length(), s.step(), g[0].device()), g[0])),
                (n, t) -> one(t[0].indexSelect(s.dim(), Grads.positions(s.start(), s.length(), s.step(), t[0].device()))));
    }

    static Rule select(Op.Select s) {
        return Rule.of(NOTHING, (n, g) -> one(Grads.zeros(s.inputShape(), g[0].dtype(), g[0].device())
                        .indexAdd(s.dim(), Grads.positions(s.index(), 1, 1, g[0].device()), g[0].unsqueeze(s.dim()))),
                (n, t) -> one(t[0].select(s.dim(), s.index())));
    }

    /** The outputs' gradients stacked back along dim (those that got none arrive as zeros). */
    static Rule unbind(Op.Unbind u) {
        return Rule.of(NOTHING, (n, g) -> one(Tensor.stack(g, u.dim())), (n, t) -> t[0].unbind(u.dim()));
    }

    static Rule cast(Op.Cast c) {
        return Rule.of(NOTHING, (n, g) -> one(g[0].to(c.from())), (n, t) -> one(t[0].to(n.outputDTypes[0])));
    }

    static Rule toDevice(Op.ToDevice d) {
        return Rule.of(OUTPUTS, (n, g) -> one(g[0].to(d.from())), (n, t) -> one(t[0].to(n.output(0).device())));
    }
}
