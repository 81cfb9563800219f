package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.expandReduced;
import static dev.kiln.autograd.Grads.sumTo;

import dev.kiln.DType;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Op;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.UnaryOp;

/**
 * The derivative rules, one entry per recorded op (DESIGN.md principle 3): what the node saves, the
 * vector-Jacobian product (reverse mode) and the Jacobian-vector product (forward mode). Rules are
 * written with tensor ops, so with createGraph they are themselves recorded (higher order).
 * In {@code vjp}, g[i] is the gradient of output i (null for integer outputs); in {@code jvp},
 * t[i] is the tangent of input i (null when zero).
 */
final class Rules {
    private Rules() {
    }

    interface Vjp {
        Tensor[] apply(Node n, Tensor[] g);
    }

    interface Jvp {
        Tensor[] apply(Node n, Tensor[] t);
    }

    /** saveInputs/saveOutputs: what vjp reads; differentiableOutputs: how many leading outputs carry gradients. */
    record Rule(boolean saveInputs, boolean saveOutputs, int differentiableOutputs, Vjp vjp, Jvp jvp) {
        static Rule of(boolean saveInputs, boolean saveOutputs, Vjp vjp, Jvp jvp) {
            return new Rule(saveInputs, saveOutputs, Integer.MAX_VALUE, vjp, jvp);
        }
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    /** Sum of the non-null terms (null when all are null). */
    private static Tensor plus(Tensor... terms) {
        Tensor s = null;
        for (Tensor t : terms) {
            if (t != null) {
                s = s == null ? t : s.add(t);
            }
        }
        return s;
    }

    private static Tensor orZeros(Tensor t, Node n, int input) {
        return t != null ? t : Tensor.zeros(n.inputShapes[input], n.inputDTypes[input], n.inputDevices[input]);
    }

    static Rule of(Op op) {
        if (op instanceof Op.Reshape r) {
            return Rule.of(false, false, (n, g) -> one(g[0].reshape(r.inputShape())),
                    (n, t) -> one(t[0].reshape(n.outputShapes[0])));
        } else if (op instanceof Op.Permute p) {
            int[] inv = new int[p.dims().length];
            for (int i = 0; i < inv.length; i++) {
                inv[p.dims()[i]] = i;
            }
            return Rule.of(false, false, (n, g) -> one(g[0].permute(inv)), (n, t) -> one(t[0].permute(p.dims())));
        } else if (op instanceof Op.Expand e) {
            return Rule.of(false, false, (n, g) -> one(sumTo(g[0], e.inputShape())),
                    (n, t) -> one(t[0].expand(n.outputShapes[0])));
        } else if (op instanceof Op.Slice s) {
            return Rule.of(false, false, (n, g) -> one(Grads.zeros(s.inputShape(), g[0].dtype(), g[0].device())
                            .indexAdd(s.dim(), Grads.positions(s.start(), s.length(), s.step(), g[0].device()), g[0])),
                    (n, t) -> one(t[0].indexSelect(s.dim(), Grads.positions(s.start(), s.length(), s.step(), t[0].device()))));
        } else if (op instanceof Op.Select s) {
            return Rule.of(false, false, (n, g) -> one(Grads.zeros(s.inputShape(), g[0].dtype(), g[0].device())
                            .indexAdd(s.dim(), Grads.positions(s.index(), 1, 1, g[0].device()), g[0].unsqueeze(s.dim()))),
                    (n, t) -> one(t[0].select(s.dim(), s.index())));
        } else if (op instanceof Op.Clone) {
            return Rule.of(false, false, (n, g) -> one(g[0]), (n, t) -> one(t[0].clone()));
        } else if (op instanceof Op.Cast c) {
            return Rule.of(false, false, (n, g) -> one(g[0].to(c.from())), (n, t) -> one(t[0].to(n.outputDTypes[0])));
        } else if (op instanceof Op.ToDevice d) {
            return Rule.of(false, true, (n, g) -> one(g[0].to(d.from())), (n, t) -> one(t[0].to(n.output(0).device())));
        } else if (op instanceof Op.Unary u) {
            return unary(u.op());
        } else if (op instanceof Op.Binary b) {
            return binary(b.op());
        } else if (op instanceof Op.Where) {
            return Rule.of(true, false, (n, g) -> {
                Tensor zero = Tensor.zerosLike(g[0]);
                Tensor cond = n.input(0);
                return new Tensor[] {null, sumTo(Tensor.where(cond, g[0], zero), n.inputShapes[1]),
                    sumTo(Tensor.where(cond, zero, g[0]), n.inputShapes[2])};
            }, (n, t) -> one(Tensor.where(n.input(0), orZeros(t[1], n, 1), orZeros(t[2], n, 2))));
        } else if (op instanceof Op.Reduce r) {
            return reduce(r);
        } else if (op instanceof Op.ReduceWithIndices r) {
            return new Rule(false, true, 1, (n, g) -> {
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
        } else if (op instanceof Op.Variance v) {
            return Rule.of(true, false, (n, g) -> {
                Tensor x = n.input(0);
                Tensor centered = x.sub(x.mean(v.dims(), true));
                double denom = Math.max(0, Grads.count(n.inputShapes[0], v.dims()) - v.correction());
                return one(expandReduced(g[0], n.inputShapes[0], v.dims(), v.keepdim()).mul(centered).mul(2.0 / denom));
            }, (n, t) -> {
                Tensor x = n.input(0);
                Tensor centered = x.sub(x.mean(v.dims(), true));
                double denom = Math.max(0, Grads.count(n.inputShapes[0], v.dims()) - v.correction());
                return one(centered.mul(t[0]).sum(v.dims(), v.keepdim()).mul(2.0 / denom));
            });
        } else if (op instanceof Op.Matmul) {
            return Rule.of(true, false, (n, g) -> new Tensor[] {
                n.needsGrad(0) ? sumTo(g[0].matmul(n.input(1).mT()), n.inputShapes[0]) : null,
                n.needsGrad(1) ? sumTo(matmulGradRight(n.input(0), n.input(1), g[0]), n.inputShapes[1]) : null},
                (n, t) -> one(plus(t[0] == null ? null : t[0].matmul(n.input(1)),
                        t[1] == null ? null : n.input(0).matmul(t[1]))));
        }
        return IndexingRules.of(op);
    }

    /**
     * a^T g, the gradient of b in a @ b, laid out like b: for a transposed matrix (linear's weight.t())
     * it is computed as (g^T a)^T, the same sums in the same order, so the gradient reaching the matrix
     * behind the view is contiguous and the optimizer's elementwise steps read it in order.
     */
    private static Tensor matmulGradRight(Tensor a, Tensor b, Tensor g) {
        if (a.dim() == 2 && b.dim() == 2 && !b.isContiguous() && b.mT().isContiguous()) {
            return g.mT().matmul(a).mT();
        }
        return a.mT().matmul(g);
    }

    /** d out / d x for an elementwise unary op, from the saved input x or output y. */
    private static Rule unary(UnaryOp u) {
        boolean out = switch (u) {
            case EXP, EXPM1, SQRT, RSQRT, RECIPROCAL, TANH, SIGMOID, RELU -> true;
            default -> false;
        };
        boolean in = switch (u) {
            case ABS, LOG, LOG1P, SQUARE, SIN, COS, GELU, GELU_TANH, ERF -> true;
            default -> false;
        };
        // vjp and jvp of an elementwise op are both "multiply by the derivative"
        Vjp times = (n, g) -> one(unaryTimes(u, n, g[0]));
        return Rule.of(in, out, times, (n, t) -> one(unaryTimes(u, n, t[0])));
    }

    private static final double SQRT_2_PI = Math.sqrt(2 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_KAPPA = 0.044715;

    private static Tensor unaryTimes(UnaryOp u, Node n, Tensor g) {
        switch (u) {
            case NEG: return g.neg();
            case ABS: return g.mul(n.input(0).sign());
            case SIGN: case FLOOR: case CEIL: case ROUND: return Tensor.zerosLike(g);
            case EXP: return g.mul(n.output(0));
            case LOG: return g.div(n.input(0));
            case LOG1P: return g.div(n.input(0).add(1));
            case EXPM1: return g.mul(n.output(0).add(1));
            case SQRT: return g.div(n.output(0).mul(2));
            case RSQRT: return g.mul(n.output(0).pow(3)).mul(-0.5);
            case RECIPROCAL: return g.mul(n.output(0).square()).neg();
            case SQUARE: return g.mul(n.input(0)).mul(2);
            case SIN: return g.mul(n.input(0).cos());
            case COS: return g.mul(n.input(0).sin()).neg();
            case TANH: return g.mul(n.output(0).square().rsub(1));
            case SIGMOID: {
                Tensor y = n.output(0);
                return g.mul(y.mul(y.rsub(1)));
            }
            case RELU: return Functional.reluBackward(g, n.output(0));
            case GELU: {
                Tensor x = n.input(0);
                Tensor cdf = x.mul(Math.sqrt(0.5)).erf().add(1).mul(0.5);
                Tensor pdf = x.square().mul(-0.5).exp().div(SQRT_2_PI);
                return g.mul(cdf.add(x.mul(pdf)));
            }
            case GELU_TANH: {
                // y = x/2 (1 + t), t = tanh(u), u = sqrt(2/pi) (x + kappa x^3): y' = (1 + t)/2 + x/2 (1 - t^2) u'
                Tensor x = n.input(0);
                Tensor x2 = x.square();
                Tensor t = x2.mul(x).mul(GELU_KAPPA).add(x).mul(SQRT_2_OVER_PI).tanh();
                Tensor du = x2.mul(3 * GELU_KAPPA).add(1).mul(SQRT_2_OVER_PI);
                return g.mul(t.add(1).mul(0.5).add(x.mul(0.5).mul(t.square().rsub(1)).mul(du)));
            }
            case ERF: return g.mul(n.input(0).square().neg().exp().mul(TWO_OVER_SQRT_PI));
            default: throw new UnsupportedOperationException("autograd: " + u.opName() + " is not differentiable");
        }
    }

    /** Binary ops by their partial derivatives d out / d a and d out / d b. */
    private static Rule binary(BinaryOp b) {
        if (b == BinaryOp.ADD || b == BinaryOp.SUB) {
            boolean sub = b == BinaryOp.SUB;
            return Rule.of(false, false, (n, g) -> new Tensor[] {sumTo(g[0], n.inputShapes[0]),
                sumTo(sub ? g[0].neg() : g[0], n.inputShapes[1])},
                (n, t) -> one(broadcast(plus(t[0], t[1] == null ? null : sub ? t[1].neg() : t[1]), n)));
        }
        if (b.logical()) {
            throw new UnsupportedOperationException("autograd: " + b.opName() + " is not differentiable");
        }
        if (b == BinaryOp.DIV_TRUNC || b == BinaryOp.DIV_FLOOR) {
            // piecewise constant: zero almost everywhere, as PyTorch's div with a rounding mode
            return Rule.of(false, false, (n, g) -> new Tensor[] {Tensor.zeros(n.inputShapes[0], g[0].dtype(), g[0].device()),
                Tensor.zeros(n.inputShapes[1], g[0].dtype(), g[0].device())},
                (n, t) -> one(Tensor.zeros(n.outputShapes[0], n.outputDTypes[0], n.inputDevices[0])));
        }
        boolean out = b == BinaryOp.POW;
        return Rule.of(true, out, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? sumTo(g[0].mul(partial(b, n, 0)), n.inputShapes[0]) : null,
            n.needsGrad(1) ? sumTo(g[0].mul(partial(b, n, 1)), n.inputShapes[1]) : null},
            (n, t) -> one(broadcast(plus(t[0] == null ? null : t[0].mul(partial(b, n, 0)),
                    t[1] == null ? null : t[1].mul(partial(b, n, 1))), n)));
    }

    private static Tensor broadcast(Tensor t, Node n) {
        return t.expand(n.outputShapes[0]);
    }

    private static Tensor partial(BinaryOp op, Node n, int wrt) {
        Tensor a = n.input(0);
        Tensor b = n.input(1);
        switch (op) {
            case MUL: return wrt == 0 ? b : a;
            // a where b > 0: d/da is that mask, d/db is 0 (b only selects)
            case RELU_BACKWARD: return wrt == 0 ? Functional.reluBackward(Tensor.onesLike(a), b) : Tensor.zerosLike(b);
            case DIV: return wrt == 0 ? b.reciprocal() : a.div(b.square()).neg();
            case POW: {
                if (wrt == 0) {
                    // b a^(b-1), taken as 0 where b == 0 (as PyTorch): at a = 0 it would be 0 * inf
                    Tensor d = b.mul(a.pow(b.sub(1)));
                    return Tensor.where(b.eq(0), Tensor.zerosLike(d), d);
                }
                // d a^b / d b = a^b ln a, taken as 0 where a == 0 and b >= 0 (as PyTorch)
                Tensor zero = a.eq(0).logicalAnd(b.ge(0));
                Tensor d = n.output(0).mul(a.log());
                return Tensor.where(zero, Tensor.zerosLike(d), d);
            }
            case MAXIMUM:
            case MINIMUM: {
                // as PyTorch: zero for the operand that loses, half each on a tie, and the full
                // gradient otherwise, so a NaN (no order) sends it to both operands
                boolean aLoses = (op == BinaryOp.MAXIMUM) == (wrt == 0);
                Tensor loses = aLoses ? a.lt(b) : a.gt(b);
                Tensor share = a.eq(b).to(a.dtype()).mul(-0.5).add(1); // 0.5 on a tie, else 1
                return Tensor.where(loses, Tensor.zerosLike(share), share);
            }
            default: throw new UnsupportedOperationException("autograd: " + op.opName() + " is not differentiable");
        }
    }

    private static Rule reduce(Op.Reduce r) {
        int[] dims = r.dims();
        ReduceOp op = r.op();
        if (op == ReduceOp.SUM || op == ReduceOp.MEAN) {
            return Rule.of(false, false, (n, g) -> {
                Tensor e = expandReduced(g[0], n.inputShapes[0], dims, r.keepdim());
                return one(op == ReduceOp.MEAN ? e.div(Grads.count(n.inputShapes[0], dims)) : e);
            }, (n, t) -> one(op == ReduceOp.MEAN ? t[0].mean(dims, r.keepdim()) : t[0].sum(dims, r.keepdim())));
        }
        // prod, amax, amin: weight each element by d out / d x_i, then broadcast g
        return Rule.of(true, true, (n, g) -> one(expandReduced(g[0], n.inputShapes[0], dims, r.keepdim())
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
}
