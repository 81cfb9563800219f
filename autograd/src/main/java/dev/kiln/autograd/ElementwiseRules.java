package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.one;
import static dev.kiln.autograd.Grads.plus;
import static dev.kiln.autograd.Grads.sumTo;
import static dev.kiln.autograd.Rule.Saves.BOTH;
import static dev.kiln.autograd.Rule.Saves.INPUTS;
import static dev.kiln.autograd.Rule.Saves.NOTHING;
import static dev.kiln.autograd.Rule.Saves.OUTPUTS;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.autograd.Rule.Saves;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import java.util.EnumMap;
import java.util.Map;

/**
 * Derivative rules of the elementwise ops: one constant rule per unary and binary op (they have no
 * attributes beyond the op itself), and where.
 */
final class ElementwiseRules {
    private ElementwiseRules() {
    }

    private static final double SQRT_2_PI = Math.sqrt(2 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_KAPPA = 0.044715;

    private static final Map<UnaryOp, Rule> UNARY = new EnumMap<>(UnaryOp.class);
    private static final Map<BinaryOp, Rule> BINARY = new EnumMap<>(BinaryOp.class);

    static {
        for (UnaryOp u : UnaryOp.values()) {
            UNARY.put(u, unaryRule(u));
        }
        for (BinaryOp b : BinaryOp.values()) {
            if (!b.logical()) {
                BINARY.put(b, binaryRule(b));
            }
        }
    }

    static Rule unary(UnaryOp u) {
        return UNARY.get(u);
    }

    static Rule binary(BinaryOp b) {
        Rule r = BINARY.get(b);
        if (r == null) {
            throw new UnsupportedOperationException("autograd: " + b.opName() + " is not differentiable");
        }
        return r;
    }

    /** inputs: cond, a, b; cond only selects. */
    static final Rule WHERE = Rule.of(INPUTS, (n, g) -> {
        Tensor zero = Tensor.zerosLike(g[0]);
        Tensor cond = n.input(0);
        return new Tensor[] {null, sumTo(Tensor.where(cond, g[0], zero), n.inputShapes[1]),
            sumTo(Tensor.where(cond, zero, g[0]), n.inputShapes[2])};
    }, (n, t) -> one(Tensor.where(n.input(0), orZeros(t[1], n, 1), orZeros(t[2], n, 2))));

    private static Tensor orZeros(Tensor t, Node n, int input) {
        return t != null ? t : Tensor.zeros(n.inputShapes[input], n.inputDTypes[input], n.inputDevices[input]);
    }

    /** d out / d x for an elementwise unary op, from the saved input x or output y. */
    private static Rule unaryRule(UnaryOp u) {
        Saves saves = switch (u) {
            case EXP, EXPM1, SQRT, RSQRT, RECIPROCAL, TANH, SIGMOID, RELU -> OUTPUTS;
            case ABS, LOG, LOG1P, SQUARE, SIN, COS, ATAN, GELU, GELU_TANH, SILU, ERF -> INPUTS;
            default -> NOTHING;
        };
        // vjp and jvp of an elementwise op are both "multiply by the derivative"
        return Rule.of(saves, (n, g) -> one(unaryTimes(u, n, g[0])), (n, t) -> one(unaryTimes(u, n, t[0])));
    }

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
            case ATAN: return g.div(n.input(0).square().add(1));
            case TANH: return g.mul(n.output(0).square().rsub(1));
            case SIGMOID: {
                Tensor y = n.output(0);
                return g.mul(y.mul(y.rsub(1)));
            }
            case RELU: return Functional.reluBackward(g, n.output(0));
            case GELU: return Functional.geluBackward(g, n.input(0), "none");
            case GELU_TANH: return Functional.geluBackward(g, n.input(0), "tanh");
            case SILU: return Functional.siluBackward(g, n.input(0));
            case ERF: return g.mul(n.input(0).square().neg().exp().mul(TWO_OVER_SQRT_PI));
            default: throw new UnsupportedOperationException("autograd: " + u.opName() + " is not differentiable");
        }
    }

    /** Binary ops by their partial derivatives d out / d a and d out / d b. */
    private static Rule binaryRule(BinaryOp b) {
        if (b == BinaryOp.ADD || b == BinaryOp.SUB) {
            boolean sub = b == BinaryOp.SUB;
            return Rule.of(NOTHING, (n, g) -> new Tensor[] {sumTo(g[0], n.inputShapes[0]),
                sumTo(sub ? g[0].neg() : g[0], n.inputShapes[1])},
                (n, t) -> one(broadcast(plus(t[0], t[1] == null ? null : sub ? t[1].neg() : t[1]), n)));
        }
        if (b == BinaryOp.DIV_TRUNC || b == BinaryOp.DIV_FLOOR) {
            // piecewise constant: zero almost everywhere, as PyTorch's div with a rounding mode
            return Rule.of(NOTHING, (n, g) -> new Tensor[] {Tensor.zeros(n.inputShapes[0], g[0].dtype(), g[0].device()),
                Tensor.zeros(n.inputShapes[1], g[0].dtype(), g[0].device())},
                (n, t) -> one(Tensor.zeros(n.outputShapes[0], n.outputDTypes[0], n.inputDevices[0])));
        }
        // pow's d/db reads its output a^b
        return Rule.of(b == BinaryOp.POW ? BOTH : INPUTS, (n, g) -> new Tensor[] {
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
            // a GELU'(b): d/da is GELU'(b), d/db is a GELU''(b)
            case GELU_BACKWARD: return wrt == 0 ? Functional.geluBackward(Tensor.onesLike(b), b, "none") : a.mul(geluSecond(b));
            case GELU_TANH_BACKWARD: return wrt == 0 ? Functional.geluBackward(Tensor.onesLike(b), b, "tanh")
                    : a.mul(geluTanhSecond(b));
            // a SiLU'(b): d/da is SiLU'(b), d/db is a SiLU''(b)
            case SILU_BACKWARD: return wrt == 0 ? Functional.siluBackward(Tensor.onesLike(b), b) : a.mul(siluSecond(b));
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

    /** GELU''(x) = phi(x) (2 - x^2), phi the standard normal density. */
    /** SiLU''(x) = s (1 - s) (2 + x (1 - 2 s)), s = sigmoid(x). */
    private static Tensor siluSecond(Tensor x) {
        Tensor s = x.sigmoid();
        return s.mul(s.rsub(1)).mul(x.mul(s.mul(-2).add(1)).add(2));
    }

    private static Tensor geluSecond(Tensor x) {
        Tensor x2 = x.square();
        return x2.mul(-0.5).exp().div(SQRT_2_PI).mul(x2.rsub(2));
    }

    /**
     * The tanh approximation's second derivative: with t = tanh(u), u = sqrt(2/pi) (x + kappa x^3), y = x/2 (1 + t)
     * has y'' = (1 - t^2) (u' - x t u'^2 + x u'' / 2).
     */
    private static Tensor geluTanhSecond(Tensor x) {
        Tensor x2 = x.square();
        Tensor t = x2.mul(x).mul(GELU_KAPPA).add(x).mul(SQRT_2_OVER_PI).tanh();
        Tensor du = x2.mul(3 * GELU_KAPPA).add(1).mul(SQRT_2_OVER_PI);
        Tensor ddu = x.mul(6 * GELU_KAPPA * SQRT_2_OVER_PI);
        return t.square().rsub(1).mul(du.sub(x.mul(t).mul(du.square())).add(x.mul(ddu).mul(0.5)));
    }
}
