package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;

/**
 * kernels/elementwise.cu: unary and broadcasting binary ops over strided inputs: every op on the float
 * dtypes, the integral ones on int64, the logical ones on bool (as the SPI defines them).
 */
final class ElementwiseLauncher extends Launcher {
    ElementwiseLauncher(CudaContext context) {
        super(context);
    }

    /** The op codes of elementwise.cu's unary_op. */
    private static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case SIGN -> 2;
            case EXP -> 3;
            case LOG -> 4;
            case LOG1P -> 5;
            case EXPM1 -> 6;
            case SQRT -> 7;
            case RSQRT -> 8;
            case RECIPROCAL -> 9;
            case SQUARE -> 10;
            case SIN -> 11;
            case COS -> 12;
            case TANH -> 13;
            case SIGMOID -> 14;
            case RELU -> 15;
            case GELU -> 16;
            case ERF -> 17;
            case FLOOR -> 18;
            case CEIL -> 19;
            case ROUND -> 20;
            case LOGICAL_NOT -> 21;
            case GELU_TANH -> 22;
            case ATAN -> 23;
            case SILU -> 24;
        };
    }

    /** The op codes of elementwise.cu's binary_op. */
    private static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
            case MAXIMUM -> 5;
            case MINIMUM -> 6;
            case LOGICAL_AND -> 7;
            case LOGICAL_OR -> 8;
            case RELU_BACKWARD -> 9;
            case DIV_TRUNC -> 10;
            case DIV_FLOOR -> 11;
            case GELU_BACKWARD -> 12;
            case GELU_TANH_BACKWARD -> 13;
            case SILU_BACKWARD -> 14;
        };
    }

    NdArray unary(UnaryOp op, NdArray x) {
        DType t = x.dtype();
        boolean logical = op == UnaryOp.LOGICAL_NOT;
        if (!(t.isFloatingPoint() ? !logical : t == DType.INT64 ? op.integral() : logical)) {
            throw unsupported(op.opName(), t);
        }
        int code = code(op);
        int[] shape = x.shape();
        KernelLayout.checkRank(op.opName(), shape);
        NdArray y = newArray(shape, x.dtype());
        int n = y.numel();
        if (n > 0) {
            KernelLayout.Merged m = KernelLayout.merge(shape, x);
            String suffix = KernelLayout.suffix(x.dtype());
            if (m.linear(false)) {
                launch("elementwise", x.dtype(), "unary_contig_" + suffix, gridFor(packs(n, x.dtype()), BLOCK), Dim3.of(BLOCK), 0,
                        new KernelArgs().ptr(x).ptr(y).i32(n).i32(code));
            } else {
                launch("elementwise", x.dtype(), "unary_strided_" + suffix, gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                        new KernelArgs().ptr(x).ptr(y).bytes(m.shape8()).bytes(m.strides8(0)).i32(n).i32(code));
            }
        }
        return y;
    }

    NdArray binary(BinaryOp op, NdArray a, NdArray b) {
        DType t = a.dtype();
        if (!(t.isFloatingPoint() ? !op.logical() : t == DType.INT64 ? op.integral() : op.logical())) {
            throw unsupported(op.opName(), t);
        }
        int code = code(op);
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        KernelLayout.checkRank(op.opName(), shape);
        NdArray y = newArray(shape, t);
        int n = y.numel();
        if (n > 0) {
            KernelLayout.Merged m = KernelLayout.merge(shape, a, b);
            if (m.linear(true, true)) {
                launch("elementwise", t, "binary_contig_" + KernelLayout.suffix(t), gridFor(packs(n, t), BLOCK), Dim3.of(BLOCK), 0,
                        new KernelArgs().ptr(a).ptr(b).ptr(y).i32(n).i32(m.scalar(0)).i32(m.scalar(1)).i32(code));
            } else {
                launch("elementwise", t, "binary_strided_" + KernelLayout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                        new KernelArgs().ptr(a).ptr(b).ptr(y).bytes(m.shape8())
                                .bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n).i32(code));
            }
        }
        return y;
    }
}
