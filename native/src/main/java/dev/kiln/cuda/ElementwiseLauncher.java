package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;

/** kernels/elementwise.cu: unary and broadcasting binary ops over strided float inputs. */
final class ElementwiseLauncher extends Launcher {
    ElementwiseLauncher(CudaContext context) {
        super(context);
    }

    /** The op codes of elementwise.cu's unary_op. */
    private static int code(UnaryOp op) {
        switch (op) {
            case NEG: return 0;
            case ABS: return 1;
            case SIGN: return 2;
            case EXP: return 3;
            case LOG: return 4;
            case LOG1P: return 5;
            case EXPM1: return 6;
            case SQRT: return 7;
            case RSQRT: return 8;
            case RECIPROCAL: return 9;
            case SQUARE: return 10;
            case SIN: return 11;
            case COS: return 12;
            case TANH: return 13;
            case SIGMOID: return 14;
            case RELU: return 15;
            case GELU: return 16;
            case ERF: return 17;
            case FLOOR: return 18;
            case CEIL: return 19;
            case ROUND: return 20;
            default: return -1;
        }
    }

    /** The op codes of elementwise.cu's binary_op. */
    private static int code(BinaryOp op) {
        switch (op) {
            case ADD: return 0;
            case SUB: return 1;
            case MUL: return 2;
            case DIV: return 3;
            case POW: return 4;
            case MAXIMUM: return 5;
            case MINIMUM: return 6;
            default: return -1;
        }
    }

    Tensor unary(UnaryOp op, Tensor x) {
        int code = code(op);
        if (code < 0 || !x.dtype().isFloatingPoint()) {
            throw unsupported(op.opName(), x.dtype());
        }
        int[] shape = x.shape();
        Layout.checkRank(op.opName(), shape);
        Tensor y = newTensor(shape, x.dtype());
        int n = y.numel();
        if (n > 0) {
            Layout.Merged m = Layout.merge(shape, x);
            launch("elementwise", x.dtype(), "unary_strided_" + Layout.suffix(x.dtype()), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(address(x)).ptr(address(y)).bytes(m.shape8()).bytes(m.strides8(0)).i32(n).i32(code));
        }
        return y;
    }

    Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        int code = code(op);
        DType t = a.dtype();
        if (code < 0 || !t.isFloatingPoint()) {
            throw unsupported(op.opName(), t);
        }
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        Layout.checkRank(op.opName(), shape);
        Tensor y = newTensor(shape, t);
        int n = y.numel();
        if (n > 0) {
            Layout.Merged m = Layout.merge(shape, a, b);
            launch("elementwise", t, "binary_strided_" + Layout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(address(a)).ptr(address(b)).ptr(address(y)).bytes(m.shape8())
                            .bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n).i32(code));
        }
        return y;
    }
}
