package dev.kiln.testing;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;

/** The public Tensor method behind each elementwise primitive, so tests can range over the SPI enums. */
public final class TensorOps {
    private TensorOps() {
    }

    public static Tensor unary(UnaryOp op, Tensor x) {
        switch (op) {
            case NEG: return x.neg();
            case ABS: return x.abs();
            case SIGN: return x.sign();
            case EXP: return x.exp();
            case LOG: return x.log();
            case LOG1P: return x.log1p();
            case EXPM1: return x.expm1();
            case SQRT: return x.sqrt();
            case RSQRT: return x.rsqrt();
            case RECIPROCAL: return x.reciprocal();
            case SQUARE: return x.square();
            case SIN: return x.sin();
            case COS: return x.cos();
            case ATAN: return x.atan();
            case TANH: return x.tanh();
            case SIGMOID: return x.sigmoid();
            case RELU: return x.relu();
            case GELU: return x.gelu();
            case ERF: return x.erf();
            case GELU_TANH: return x.gelu("tanh");
            case SILU: return Functional.silu(x);
            case FLOOR: return x.floor();
            case CEIL: return x.ceil();
            case ROUND: return x.round();
            case LOGICAL_NOT: return x.logicalNot();
            default: throw new IllegalArgumentException("no Tensor method for " + op);
        }
    }

    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        switch (op) {
            case ADD: return a.add(b);
            case SUB: return a.sub(b);
            case MUL: return a.mul(b);
            case DIV: return a.div(b);
            case POW: return a.pow(b);
            case MAXIMUM: return a.maximum(b);
            case MINIMUM: return a.minimum(b);
            case RELU_BACKWARD: return Functional.reluBackward(a, b);
            case GELU_BACKWARD: return Functional.geluBackward(a, b, "none");
            case GELU_TANH_BACKWARD: return Functional.geluBackward(a, b, "tanh");
            case SILU_BACKWARD: return Functional.siluBackward(a, b);
            case DIV_TRUNC: return a.div(b, "trunc");
            case DIV_FLOOR: return a.div(b, "floor");
            case LOGICAL_AND: return a.logicalAnd(b);
            case LOGICAL_OR: return a.logicalOr(b);
            default: throw new IllegalArgumentException("no Tensor method for " + op);
        }
    }

    public static Tensor compare(CompareOp op, Tensor a, Tensor b) {
        switch (op) {
            case EQ: return a.eq(b);
            case NE: return a.ne(b);
            case LT: return a.lt(b);
            case LE: return a.le(b);
            case GT: return a.gt(b);
            case GE: return a.ge(b);
            default: throw new IllegalArgumentException("no Tensor method for " + op);
        }
    }

    /** The SPI enum constant for a torch op name: "logical_not" is UnaryOp.LOGICAL_NOT. */
    public static <E extends Enum<E>> E byTorchName(Class<E> type, String name) {
        return Enum.valueOf(type, name.toUpperCase(java.util.Locale.ROOT));
    }
}
