package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.ReduceOp;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * kernels/reduce.cu: x is permuted so the reduced dims come last, giving an (outer, inner) view the
 * kernel reads through its strides; one block per output element.
 */
final class ReduceLauncher extends Launcher {
    ReduceLauncher(CudaContext context) {
        super(context);
    }

    private static int code(ReduceOp op) {
        switch (op) {
            case SUM: return 0;
            case MEAN: return 1;
            case PROD: return 2;
            case MAX: return 3;
            default: return 4;
        }
    }

    /** Kept dims in order, then the reduced dims. */
    private static int[] permutation(int rank, int[] dims) {
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int[] perm = new int[rank];
        int k = 0;
        for (int d = 0; d < rank; d++) {
            if (!reduced[d]) {
                perm[k++] = d;
            }
        }
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                perm[k++] = d;
            }
        }
        return perm;
    }

    private static int[] outShape(int[] shape, int[] dims, boolean keepdim) {
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        return java.util.stream.IntStream.range(0, shape.length)
                .filter(d -> keepdim || !reduced[d]).map(d -> reduced[d] ? 1 : shape[d]).toArray();
    }

    /** A block of a power of two threads (32..256) for rows of {@code inner} elements. */
    private static Dim3 block(int inner) {
        return Dim3.of(Math.max(32, Math.min(BLOCK, Integer.highestOneBit(Math.max(1, inner - 1)) * 2)));
    }

    /**
     * Rows of more than this many elements, when there are fewer than {@link #MANY_ROWS}, are split
     * into chunks of it for var: one block per row would leave most of a GPU idle.
     */
    static final int VAR_CHUNK = 4096;
    static final int MANY_ROWS = 512;

    private void checkInput(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw unsupported(op, x.dtype());
        }
        Layout.checkRank(op, x.shape());
    }

    private static int inner(Tensor x, int[] dims) {
        return Arrays.stream(dims).map(x::size).reduce(1, (a, b) -> a * b);
    }

    /** Launches {@code kernel} over the (outer, inner) rows of x; tail adds the arguments after (outer, inner). */
    private Tensor reduceRows(String op, String kernel, Tensor x, int[] dims, boolean keepdim, UnaryOperator<KernelArgs> tail) {
        checkInput(op, x);
        DType t = x.dtype();
        Tensor p = x.permute(permutation(x.dim(), dims));
        int inner = inner(x, dims);
        Tensor y = newTensor(outShape(x.shape(), dims, keepdim), t);
        int outer = y.numel();
        if (outer > 0) {
            Layout.Merged m = Layout.merge(p.shape(), p);   // the kernel reads p by its row-major index
            KernelArgs args = new KernelArgs().ptr(address(p)).ptr(address(y)).bytes(m.shape8()).bytes(m.strides8(0))
                    .i32(outer).i32(inner);
            launch("reduce", t, kernel + "_" + Layout.suffix(t), Dim3.of(Math.min(outer, 65535)), block(inner), 0,
                    tail.apply(args));
        }
        return y;
    }

    Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        return reduceRows(op.opName(), "reduce_rows", x, dims, keepdim, args -> args.i32(code(op)));
    }

    /**
     * sum((x - mean)^2) / max(0, n - correction) over dims, two passes in x's dtype: reduce.cu's
     * var_rows, or for a few long rows var_chunks + var_merge.
     */
    Tensor variance(Tensor x, int[] dims, double correction, boolean keepdim) {
        int inner = inner(x, dims);
        double denom = Math.max(0, inner - correction);
        boolean f32 = x.dtype() == DType.FLOAT32;
        UnaryOperator<KernelArgs> withDenom = args -> f32 ? args.f32((float) denom) : args.f64(denom);
        int outer = Shape.numel(outShape(x.shape(), dims, false));
        int splits = (inner + VAR_CHUNK - 1) / VAR_CHUNK;
        if (splits <= 1 || splits > 65535 || outer >= MANY_ROWS) {
            return reduceRows("var", "var_rows", x, dims, keepdim, withDenom);
        }
        checkInput("var", x);
        DType t = x.dtype();
        Tensor p = x.permute(permutation(x.dim(), dims));
        Tensor y = newTensor(outShape(x.shape(), dims, keepdim), t);
        Layout.Merged m = Layout.merge(p.shape(), p);
        try (Tensor part = newTensor(new int[] {outer, splits, 3}, t)) {   // (count, mean, m2) per chunk; freed in stream order
            launch("reduce", t, "var_chunks_" + Layout.suffix(t), new Dim3(outer, splits, 1), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(address(p)).ptr(address(part)).bytes(m.shape8()).bytes(m.strides8(0))
                            .i32(inner).i32(VAR_CHUNK));
            launch("reduce", t, "var_merge_" + Layout.suffix(t), gridFor(outer, BLOCK), Dim3.of(BLOCK), 0,
                    withDenom.apply(new KernelArgs().ptr(address(part)).ptr(address(y)).i32(outer).i32(splits)));
        }
        return y;
    }

    /** {values, int64 indices} of the first max (or min) along dim; NaN counts as the extreme. */
    Tensor[] argReduce(ReduceOp op, Tensor x, int dim, boolean keepdim) {
        DType t = x.dtype();
        if ((op != ReduceOp.MAX && op != ReduceOp.MIN) || !t.isFloatingPoint()) {
            throw unsupported(op == ReduceOp.MAX ? "max(dim)" : op.opName() + "(dim) with indices", t);
        }
        Layout.checkRank("argmax", x.shape());
        int[] dims = {dim};
        Tensor p = x.permute(permutation(x.dim(), dims));
        int inner = x.size(dim);
        int[] shape = outShape(x.shape(), dims, keepdim);
        Tensor values = newTensor(shape, t);
        Tensor indices = newTensor(shape, DType.INT64);
        int outer = values.numel();
        if (outer > 0) {
            Layout.Merged m = Layout.merge(p.shape(), p);
            launch("reduce", t, "argreduce_rows_" + Layout.suffix(t), Dim3.of(Math.min(outer, 65535)), block(inner), 0,
                    new KernelArgs().ptr(address(p)).ptr(address(values)).ptr(address(indices))
                            .bytes(m.shape8()).bytes(m.strides8(0))
                            .i32(outer).i32(inner).i32(code(op)));
        }
        return new Tensor[] {values, indices};
    }
}
