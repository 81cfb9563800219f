package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.ReduceOp;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * kernels/reduce.cu: x is permuted so the reduced dims come last, giving an (outer, inner) view the
 * kernel reads through its strides; one block per output element, or, for a few long rows, one
 * per chunk of a row and a second launch that merges the chunks' partials in a fixed order.
 */
final class ReduceLauncher extends Launcher {
    /**
     * Rows of more than this many elements, when there are fewer than {@link #MANY_ROWS}, are split
     * into chunks of it: one block per row would leave most of a GPU idle.
     */
    static final int CHUNK = 4096;
    static final int MANY_ROWS = 512;
    private static final int MAX_SPLITS = KernelLimits.MAX_GRID_YZ;   // grid.y

    private final int chunk;

    ReduceLauncher(CudaContext context) {
        this(context, CHUNK);
    }

    /** {@code chunk}: the split length, lowered by tests to take the split path on small tensors. */
    ReduceLauncher(CudaContext context, int chunk) {
        super(context);
        this.chunk = chunk;
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

    /** How rows of {@code inner} elements are cut: {@code splits} blocks of {@code chunk} elements each. */
    private record Split(int chunk, int splits) {
        /** Block (., s) of grid (rows, splits) reduces chunk s of each row it takes. */
        Dim3 grid(int outer) {
            return new Dim3(Math.min(outer, KernelLimits.MAX_GRID_YZ), splits, 1);
        }

        Dim3 block() {
            return ReduceLauncher.block(chunk);
        }
    }

    /** Unsplit (one chunk of the whole row) unless there are few rows of several chunks each. */
    private Split split(int outer, int inner) {
        int c = (int) Math.max(chunk, ((long) inner + MAX_SPLITS - 1) / MAX_SPLITS);
        int splits = (int) (((long) inner + c - 1) / c);
        return splits <= 1 || outer >= MANY_ROWS ? new Split(inner, 1) : new Split(c, splits);
    }

    private void checkInput(String op, NdArray x, boolean int64) {
        if (!x.dtype().isFloatingPoint() && !(int64 && x.dtype() == DType.INT64)) {
            throw unsupported(op, x.dtype());
        }
        KernelLayout.checkRank(op, x.shape());
    }

    private static int inner(NdArray x, int[] dims) {
        return Arrays.stream(dims).map(x::size).reduce(1, (a, b) -> a * b);
    }

    /** x with the reduced dims last, read by the kernels as an (outer, inner) row-major view. */
    private static KernelLayout.Merged rows(NdArray p) {
        return KernelLayout.merge(p.shape(), p);
    }

    /** sum, mean, prod, max or min over dims (float, or int64 but for mean), in x's dtype. */
    NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        checkInput(op.opName(), x, op != ReduceOp.MEAN);
        DType t = x.dtype();
        String kernel = "reduce_rows_" + KernelLayout.suffix(t);
        NdArray p = x.permute(permutation(x.dim(), dims));
        int inner = inner(x, dims);
        NdArray y = newArray(outShape(x.shape(), dims, keepdim), t);
        int outer = y.numel();
        if (outer == 0) {
            return y;
        }
        Split s = split(outer, inner);
        KernelLayout.Merged m = rows(p);
        if (s.splits() == 1) {
            launch("reduce", t, kernel, s.grid(outer), s.block(), 0, new KernelArgs().ptr(p).ptr(y)
                    .bytes(m.shape8()).bytes(m.strides8(0)).i32(outer).i32(inner).i32(inner).i32(code(op)).i32(inner));
            return y;
        }
        ReduceOp partOp = op == ReduceOp.MEAN ? ReduceOp.SUM : op;   // the mean divides once, in the merge
        try (Temporaries tmp = temporaries()) {
            NdArray part = tmp.empty(new int[] {outer, s.splits()}, t);
            launch("reduce", t, kernel, s.grid(outer), s.block(), 0, new KernelArgs().ptr(p).ptr(part)
                    .bytes(m.shape8()).bytes(m.strides8(0)).i32(outer).i32(inner).i32(s.chunk()).i32(code(partOp)).i32(inner));
            KernelLayout.Merged pm = rows(part);
            launch("reduce", t, kernel, Dim3.of(outer), block(s.splits()), 0, new KernelArgs().ptr(part)
                    .ptr(y).bytes(pm.shape8()).bytes(pm.strides8(0)).i32(outer).i32(s.splits()).i32(s.splits())
                    .i32(code(op)).i32(inner));
        }
        return y;
    }

    /**
     * sum((x - mean)^2) / max(0, n - correction) over dims, two passes in x's dtype: reduce.cu's
     * var_rows, or for a few long rows var_chunks + var_merge.
     */
    NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim) {
        checkInput("var", x, false);
        DType t = x.dtype();
        int inner = inner(x, dims);
        double denom = Math.max(0, inner - correction);
        UnaryOperator<KernelArgs> withDenom = args -> t == DType.FLOAT32 ? args.f32((float) denom) : args.f64(denom);
        NdArray p = x.permute(permutation(x.dim(), dims));
        NdArray y = newArray(outShape(x.shape(), dims, keepdim), t);
        int outer = y.numel();
        if (outer == 0) {
            return y;
        }
        Split s = split(outer, inner);
        KernelLayout.Merged m = rows(p);
        if (s.splits() == 1) {
            launch("reduce", t, "var_rows_" + KernelLayout.suffix(t), s.grid(outer), s.block(), 0, withDenom.apply(
                    new KernelArgs().ptr(p).ptr(y).bytes(m.shape8()).bytes(m.strides8(0))
                            .i32(outer).i32(inner)));
            return y;
        }
        try (Temporaries tmp = temporaries()) {
            NdArray part = tmp.empty(new int[] {outer, s.splits(), 3}, t);   // (count, mean, m2) per chunk
            launch("reduce", t, "var_chunks_" + KernelLayout.suffix(t), s.grid(outer), s.block(), 0,
                    new KernelArgs().ptr(p).ptr(part).bytes(m.shape8()).bytes(m.strides8(0))
                            .i32(inner).i32(s.chunk()));
            launch("reduce", t, "var_merge_" + KernelLayout.suffix(t), gridFor(outer, BLOCK), Dim3.of(BLOCK), 0,
                    withDenom.apply(new KernelArgs().ptr(part).ptr(y).i32(outer).i32(s.splits())));
        }
        return y;
    }

    /** {values, int64 indices} of the first max (or min) along dim; NaN counts as the extreme. */
    NdArray[] argReduce(ReduceOp op, NdArray x, int dim, boolean keepdim) {
        DType t = x.dtype();
        String name = op == ReduceOp.MAX ? "max(dim)" : op.opName() + "(dim) with indices";
        if (op != ReduceOp.MAX && op != ReduceOp.MIN) {
            throw unsupported(name, t);
        }
        checkInput(name, x, true);
        String kernel = "argreduce_rows_" + KernelLayout.suffix(t);
        int[] dims = x.dim() == 0 ? new int[0] : new int[] {dim};
        NdArray p = x.permute(permutation(x.dim(), dims));
        int inner = inner(x, dims);
        int[] shape = outShape(x.shape(), dims, keepdim);
        NdArray values = newArray(shape, t);
        NdArray indices = newArray(shape, DType.INT64);
        int outer = values.numel();
        if (outer == 0) {
            return new NdArray[] {values, indices};
        }
        Split s = split(outer, inner);
        KernelLayout.Merged m = rows(p);
        if (s.splits() == 1) {
            launch("reduce", t, kernel, s.grid(outer), s.block(), 0, new KernelArgs().ptr(p).ptr(0)
                    .ptr(values).ptr(indices).bytes(m.shape8()).bytes(m.strides8(0))
                    .i32(outer).i32(inner).i32(inner).i32(code(op)));
            return new NdArray[] {values, indices};
        }
        // (outer, splits) candidates: each chunk's first extreme and its index in the row
        try (Temporaries tmp = temporaries()) {
            NdArray partValues = tmp.empty(new int[] {outer, s.splits()}, t);
            NdArray partIndices = tmp.empty(new int[] {outer, s.splits()}, DType.INT64);
            launch("reduce", t, kernel, s.grid(outer), s.block(), 0, new KernelArgs().ptr(p).ptr(0)
                    .ptr(partValues).ptr(partIndices).bytes(m.shape8()).bytes(m.strides8(0))
                    .i32(outer).i32(inner).i32(s.chunk()).i32(code(op)));
            KernelLayout.Merged pm = rows(partValues);
            launch("reduce", t, kernel, Dim3.of(outer), block(s.splits()), 0, new KernelArgs().ptr(partValues)
                    .ptr(partIndices).ptr(values).ptr(indices).bytes(pm.shape8())
                    .bytes(pm.strides8(0)).i32(outer).i32(s.splits()).i32(s.splits()).i32(code(op)));
        }
        return new NdArray[] {values, indices};
    }
}
