package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.CompareOp;

/** kernels/compare.cu: comparisons (bool out) and where, over strided broadcast inputs of any dtype. */
final class CompareLauncher extends Launcher {
    CompareLauncher(CudaContext context) {
        super(context);
    }

    private static void sameDType(String op, String nameA, NdArray a, String nameB, NdArray b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": " + nameA + " is " + a.dtype() + " of shape " + Shape.str(a.shape())
                    + " but " + nameB + " is " + b.dtype() + " of shape " + Shape.str(b.shape()));
        }
    }

    /** bool (broadcast shape) = op(a, b); the op code is the CompareOp's ordinal. */
    NdArray compare(CompareOp op, NdArray a, NdArray b) {
        sameDType(op.opName(), "self", a, "other", b);
        int[] shape = Shape.broadcast(op.opName(), a.shape(), b.shape());
        KernelLayout.checkRank(op.opName(), shape);
        NdArray y = newArray(shape, DType.BOOL);
        int n = y.numel();
        if (n > 0) {
            DType t = a.dtype();
            KernelLayout.Merged m = KernelLayout.merge(shape, a, b);
            launch("compare", t, "compare_strided_" + KernelLayout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(a).ptr(b).ptr(y).bytes(m.shape8())
                            .bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n).i32(op.ordinal()));
        }
        return y;
    }

    /** cond ? a : b, all three broadcast; cond bool, the result of a's dtype. */
    NdArray where(NdArray cond, NdArray a, NdArray b) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + cond.dtype() + " of shape "
                    + Shape.str(cond.shape()));
        }
        sameDType("where", "input", a, "other", b);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape(), a.shape()), b.shape());
        KernelLayout.checkRank("where", shape);
        DType t = a.dtype();
        NdArray y = newArray(shape, t);
        int n = y.numel();
        if (n > 0) {
            KernelLayout.Merged m = KernelLayout.merge(shape, cond, a, b);
            launch("compare", t, "where_strided_" + KernelLayout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(cond).ptr(a).ptr(b).ptr(y)
                            .bytes(m.shape8()).bytes(m.strides8(0)).bytes(m.strides8(1)).bytes(m.strides8(2)).i32(n));
        }
        return y;
    }
}
