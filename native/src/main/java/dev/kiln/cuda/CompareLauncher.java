package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.CompareOp;

/** kernels/compare.cu: comparisons (bool out) and where, over strided broadcast inputs of any dtype. */
final class CompareLauncher extends Launcher {
    CompareLauncher(CudaContext context) {
        super(context);
    }

    private static void sameDType(String op, String nameA, Tensor a, String nameB, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": " + nameA + " is " + a.dtype() + " of shape " + Shape.str(a.shape())
                    + " but " + nameB + " is " + b.dtype() + " of shape " + Shape.str(b.shape()));
        }
    }

    /** bool (broadcast shape) = op(a, b); the op code is the CompareOp's ordinal. */
    Tensor compare(CompareOp op, Tensor a, Tensor b) {
        sameDType(op.opName(), "self", a, "other", b);
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        Layout.checkRank(op.opName(), shape);
        Tensor y = newTensor(shape, DType.BOOL);
        int n = y.numel();
        if (n > 0) {
            DType t = a.dtype();
            Layout.Merged m = Layout.merge(shape, a, b);
            launch("compare", t, "compare_strided_" + Layout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(a).ptr(b).ptr(y).bytes(m.shape8())
                            .bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n).i32(op.ordinal()));
        }
        return y;
    }

    /** cond ? a : b, all three broadcast; cond bool, the result of a's dtype. */
    Tensor where(Tensor cond, Tensor a, Tensor b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype() + " of shape "
                    + Shape.str(cond.shape()));
        }
        sameDType("where", "input", a, "other", b);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        Layout.checkRank("where", shape);
        DType t = a.dtype();
        Tensor y = newTensor(shape, t);
        int n = y.numel();
        if (n > 0) {
            Layout.Merged m = Layout.merge(shape, cond, a, b);
            launch("compare", t, "where_strided_" + Layout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(cond).ptr(a).ptr(b).ptr(y)
                            .bytes(m.shape8()).bytes(m.strides8(0)).bytes(m.strides8(1)).bytes(m.strides8(2)).i32(n));
        }
        return y;
    }
}
