package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.expandReduced;
import static dev.kiln.autograd.Grads.one;
import static dev.kiln.autograd.Rule.Saves.BOTH;
import static dev.kiln.autograd.Rule.Saves.INPUTS;
import static dev.kiln.autograd.Rule.Saves.NOTHING;
import static dev.kiln.autograd.Rule.Saves.OUTPUTS;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;
import dev.kiln.spi.ReduceOp;

/** Derivative rules of the reductions: the gradient is broadcast back over the reduced dims, times d out / d x_i. */
final class ReductionRules {
    private ReductionRules() {
    }

    static Rule reduce(Op.Reduce r) {
        int[] dims = r.dims();
        ReduceOp op = r.op();
        if (op == ReduceOp.SUM || op == ReduceOp.MEAN) {
            return Rule.of(NOTHING, (n, g) -> {
                Tensor e = expandReduced(g[0], n.inputShapes[0], dims, r.keepdim());
                return one(op == ReduceOp.MEAN ? e.div(Grads.count(n.inputShapes[0], dims)) : e);
            }, (n, t) -> one(op == ReduceOp.MEAN ? t[0].mean(dims, r.keepdim()) : t[0].sum(dims, r.keepdim())));
        }
        // prod, amax, amin: weight each element by d out / d x_i, then broadcast g
        return Rule.of(BOTH, (n, g) -> one(expandReduced(g[0], n.inputShapes[0], dims, r.keepdim())
                        .mul(reduceWeights(r, n))),
                (n, t) -> one(t[0].mul(reduceWeights(r, n)).sum(dims, r.keepdim())));
    }

    /** d out / d x_i for prod (product of the others) and amax/amin (ties, NaNs included, share equally). */
    private static Tensor reduceWeights(Op.Reduce r, Node n) {
        Tensor x = n.input(0);
        Tensor y = expandReduced(n.output(0), n.inputShapes[0], r.dims(), r.keepdim());
        if (r.op() == ReduceOp.PROD) {
            // out / x where x != 0; where x == 0, the product of the others (non-zero only for a lone zero)
            Tensor isZero = x.eq(0);
            Tensor ones = Tensor.onesLike(x);
            Tensor othersIfZero = expandReduced(Tensor.where(isZero, ones, x).prod(r.dims(), r.keepdim()), n.inputShapes[0],
                    r.dims(), r.keepdim());
            Tensor zeros = expandReduced(isZero.to(DType.INT64).sum(r.dims(), r.keepdim()), n.inputShapes[0], r.dims(),
                    r.keepdim());
            Tensor lone = isZero.logicalAnd(zeros.eq(1));
            Tensor safeX = Tensor.where(isZero, ones, x);
            Tensor normal = Tensor.where(zeros.eq(0), y.div(safeX), Tensor.zerosLike(x));
            return Tensor.where(lone, othersIfZero, normal);
        }
        // as PyTorch's evenly_distribute_backward: a NaN result is shared by the NaNs that made it
        Tensor hit = x.eq(y).logicalOr(x.ne(x).logicalAnd(y.ne(y))).to(x.dtype());
        Tensor count = expandReduced(hit.sum(r.dims(), r.keepdim()), n.inputShapes[0], r.dims(), r.keepdim());
        return hit.div(count);
    }

    /** max/min along dim: the gradient goes to the element the saved index names. */
    static Rule reduceWithIndices(Op.ReduceWithIndices r) {
        return Rule.firstOutputOnly(OUTPUTS, (n, g) -> {
            int[] xs = n.inputShapes[0];
            if (xs.length == 0) {
                return one(g[0].reshape());
            }
            Tensor idx = r.keepdim() ? n.output(1) : n.output(1).unsqueeze(r.dim());
            Tensor gk = r.keepdim() ? g[0] : g[0].unsqueeze(r.dim());
            return one(Grads.zeros(xs, g[0].dtype(), g[0].device()).scatterAdd(r.dim(), idx, gk));
        }, (n, t) -> {
            if (n.inputShapes[0].length == 0) {
                return one(t[0].reshape());
            }
            Tensor idx = r.keepdim() ? n.output(1) : n.output(1).unsqueeze(r.dim());
            Tensor v = t[0].gather(r.dim(), idx);
            return one(r.keepdim() ? v : v.squeeze(r.dim()));
        });
    }

    static Rule variance(Op.Variance v) {
        return Rule.of(INPUTS, (n, g) -> one(expandReduced(g[0], n.inputShapes[0], v.dims(), v.keepdim())
                        .mul(centered(n, v)).mul(2.0 / denominator(n, v))),
                (n, t) -> one(centered(n, v).mul(t[0]).sum(v.dims(), v.keepdim()).mul(2.0 / denominator(n, v))));
    }

    /** x - mean(x) over the variance's dims. */
    private static Tensor centered(Node n, Op.Variance v) {
        Tensor x = n.input(0);
        return x.sub(x.mean(v.dims(), true));
    }

    /** N - correction, clamped at 0. */
    private static double denominator(Node n, Op.Variance v) {
        return Math.max(0, Grads.count(n.inputShapes[0], v.dims()) - v.correction());
    }
}
