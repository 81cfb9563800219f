package dev.kiln.property;

import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** Reference elementwise math in double, written from the definitions. */
final class Naive {
    private Naive() {
    }

    /** erf(x) = 2/sqrt(pi) * integral_0^x e^{-t^2} dt by composite Simpson's rule (4000 panels: ~1e-14). */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.max(-6, Math.min(6, x));
        int n = 4000;
        double h = a / n;
        double s = 1 + Math.exp(-a * a);
        for (int i = 1; i < n; i++) {
            double t = i * h;
            s += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    /** Round half to even, by hand. */
    static double roundHalfEven(double x) {
        double f = Math.floor(x);
        double diff = x - f;
        if (diff < 0.5) {
            return f;
        }
        if (diff > 0.5) {
            return f + 1;
        }
        return f % 2 == 0 ? f : f + 1;
    }

    static DoubleUnaryOperator unary(UnaryOp op) {
        switch (op) {
            case NEG: return x -> -x;
            case ABS: return x -> x < 0 ? -x : x;
            case SIGN: return x -> x > 0 ? 1 : x < 0 ? -1 : x;
            case EXP: return Math::exp;
            case LOG: return Math::log;
            case LOG1P: return x -> Math.log1p(x);
            case EXPM1: return x -> Math.expm1(x);
            case SQRT: return Math::sqrt;
            case RSQRT: return x -> 1 / Math.sqrt(x);
            case RECIPROCAL: return x -> 1 / x;
            case SQUARE: return x -> x * x;
            case SIN: return Math::sin;
            case COS: return Math::cos;
            case ATAN: return x -> Math.asin(x / Math.sqrt(1 + x * x)); // an independent formula
            case TANH: return x -> (Math.exp(2 * x) - 1) / (Math.exp(2 * x) + 1);
            case SIGMOID: return x -> 1 / (1 + Math.exp(-x));
            case RELU: return x -> x > 0 ? x : 0;
            case GELU: return x -> x * 0.5 * (1 + erf(x / Math.sqrt(2)));
            case ERF: return Naive::erf;
            case GELU_TANH: return x -> x * 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case SILU: return x -> x / (1 + Math.exp(-x));
            case FLOOR: return Math::floor;
            case CEIL: return Math::ceil;
            case ROUND: return Naive::roundHalfEven;
            case LOGICAL_NOT: return x -> x == 0 ? 1 : 0;
            default: throw new IllegalArgumentException(op.toString());
        }
    }

    static DoubleBinaryOperator binary(BinaryOp op) {
        switch (op) {
            case ADD: return (a, b) -> a + b;
            case SUB: return (a, b) -> a - b;
            case MUL: return (a, b) -> a * b;
            case DIV: return (a, b) -> a / b;
            case POW: return Math::pow;
            case MAXIMUM: return (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a > b ? a : b;
            case MINIMUM: return (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a < b ? a : b;
            case RELU_BACKWARD: return (a, b) -> b <= 0 ? 0 : a;
            case GELU_BACKWARD:
                return (a, b) -> a * (0.5 * (1 + erf(b / Math.sqrt(2))) + b * Math.exp(-b * b / 2) / Math.sqrt(2 * Math.PI));
            case GELU_TANH_BACKWARD: return (a, b) -> { // through sech^2 = 1 / cosh^2, not 1 - tanh^2
                double u = Math.sqrt(2 / Math.PI) * (b + 0.044715 * b * b * b);
                double du = Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * b * b);
                return a * (0.5 * (1 + Math.tanh(u)) + 0.5 * b * du / (Math.cosh(u) * Math.cosh(u)));
            };
            case SILU_BACKWARD: return (a, b) -> { // d/dx x / (1 + e^-x) by the quotient rule
                double e = Math.exp(-b);
                return a * ((1 + e) + b * e) / ((1 + e) * (1 + e));
            };
            case DIV_TRUNC: return (a, b) -> a / b < 0 ? Math.ceil(a / b) : Math.floor(a / b);
            case DIV_FLOOR: return (a, b) -> Math.floor(a / b);
            case LOGICAL_AND: return (a, b) -> a != 0 && b != 0 ? 1 : 0;
            case LOGICAL_OR: return (a, b) -> a != 0 || b != 0 ? 1 : 0;
            default: throw new IllegalArgumentException(op.toString());
        }
    }

    static DoubleBinaryOperator compare(CompareOp op) {
        switch (op) {
            case EQ: return (a, b) -> a == b ? 1 : 0;
            case NE: return (a, b) -> a != b ? 1 : 0;
            case LT: return (a, b) -> a < b ? 1 : 0;
            case LE: return (a, b) -> a <= b ? 1 : 0;
            case GT: return (a, b) -> a > b ? 1 : 0;
            default: return (a, b) -> a >= b ? 1 : 0;
        }
    }

    static NdArray map(NdArray x, DoubleUnaryOperator f) {
        return NdArray.build(x.shape, idx -> f.applyAsDouble(x.get(idx)));
    }

    /** The broadcast shape of two shapes (trailing dims aligned). */
    static int[] broadcastShape(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static NdArray zip(NdArray a, NdArray b, DoubleBinaryOperator f) {
        return NdArray.build(broadcastShape(a.shape, b.shape), idx -> f.applyAsDouble(a.broadcastGet(idx), b.broadcastGet(idx)));
    }
}
