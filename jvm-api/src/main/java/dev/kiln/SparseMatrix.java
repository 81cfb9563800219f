package dev.kiln;

/**
 * A 2-D sparse matrix: a {@link SparsePattern} (CSR, on one device) and a float tensor of its values
 * in the pattern's entry order. The values take part in autograd like any tensor, so a product's
 * gradient reaches both the values and the dense operand. Mirrors the parts of {@code torch.sparse}
 * a graph network uses: {@code torch.sparse_coo_tensor}, {@code torch.sparse.mm},
 * {@code torch.sparse.sampled_addmm}, {@code .t()} and {@code .to_dense()}.
 */
public final class SparseMatrix {
    private final SparsePattern pattern;
    private final Tensor values;

    private SparseMatrix(SparsePattern pattern, Tensor values) {
        this.pattern = pattern;
        this.values = values;
    }

    /**
     * The rows x cols matrix with values[e] at (indices[0, e], indices[1, e]), as
     * {@code torch.sparse_coo_tensor(indices, values, (rows, cols))}. indices: (2, nnz) int64 on any
     * device; values: (nnz) float32 or float64, whose device the matrix takes. Entries may come in any
     * order; a position given twice adds up in products.
     */
    public static SparseMatrix coo(Tensor indices, Tensor values, int rows, int cols) {
        String op = "sparse_coo_tensor";
        Checks.dtype(op, "indices", indices, DType.INT64);
        if (indices.dim() != 2 || indices.size(0) != 2) {
            throw new IllegalArgumentException(op + ": indices must be [2, nnz], got " + Shape.str(indices.shape()));
        }
        Checks.floating(op, "values", values);
        if (values.dim() != 1 || values.size(0) != indices.size(1)) {
            throw new IllegalArgumentException(op + ": values must be [nnz] = [" + indices.size(1) + "], got "
                    + Shape.str(values.shape()) + " for indices " + Shape.str(indices.shape()));
        }
        Tensor host = indices.to(Device.CPU);
        long[] order = new long[values.size(0)];
        SparsePattern p = SparsePattern.fromCoo(host.select(0, 0).toLongArray(), host.select(0, 1).toLongArray(), rows,
                cols, values.device(), order);
        return new SparseMatrix(p, inOrder(values, order));
    }

    /** The matrix with {@code values} (nnz) in pattern's entry order; values must be on the pattern's device. */
    public static SparseMatrix of(SparsePattern pattern, Tensor values) {
        String op = "sparse_csr_tensor";
        Checks.floating(op, "values", values);
        if (values.dim() != 1 || values.size(0) != pattern.nnz()) {
            throw new IllegalArgumentException(op + ": values must be [nnz] = [" + pattern.nnz() + "] for " + pattern
                    + ", got " + Shape.str(values.shape()));
        }
        if (!values.device().equals(pattern.device())) {
            throw new IllegalArgumentException(op + ": values are on " + values.device() + " but the pattern is on "
                    + pattern.device() + "; move one with .to(device)");
        }
        return new SparseMatrix(pattern, values);
    }

    /**
     * (a @ b) at pattern's positions only, as {@code torch.sparse.sampled_addmm(pattern, a, b, beta=0)}:
     * a (rows, K), b (K, cols); values[e] = sum_k a[row[e], k] b[k, col[e]].
     */
    public static SparseMatrix sampledMm(SparsePattern pattern, Tensor a, Tensor b) {
        return new SparseMatrix(pattern, SparseOps.sampledMm(pattern, a, b));
    }

    /** This matrix (rows, cols) times dense (cols, N) -> (rows, N), as {@code torch.sparse.mm}. */
    public Tensor mm(Tensor dense) {
        return SparseOps.sparseMm(pattern, values, dense);
    }

    /** The transpose (cols, rows): the pattern's transpose, the values gathered into its order. */
    public SparseMatrix t() {
        return new SparseMatrix(pattern.transpose(), values.indexSelect(0, pattern.transposeOrder()));
    }

    /** The same pattern with other values (nnz). */
    public SparseMatrix withValues(Tensor newValues) {
        return of(pattern, newValues);
    }

    /** The dense (rows, cols) matrix; entries at one position add up. Differentiable in the values. */
    public Tensor toDense() {
        int size = Shape.numel("to_dense", new int[] {pattern.rows(), pattern.cols()});
        Tensor flat = Tensor.fromArray(pattern.flatPositions(), nnz()).to(device());   // (nnz) row * cols + col
        Tensor zeros = Tensor.zeros(new int[] {size}, values.dtype(), values.device());
        return zeros.indexAdd(0, flat, values).reshape(pattern.rows(), pattern.cols());
    }

    /** (2, nnz) int64: each entry's row and column, in entry order. */
    public Tensor indices() {
        return Tensor.stack(new Tensor[] {pattern.rowIndices(), pattern.colIndices()}, 0);
    }

    public SparsePattern pattern() {
        return pattern;
    }

    /** (nnz): the values in the pattern's entry order (by row, then column). */
    public Tensor values() {
        return values;
    }

    public int rows() {
        return pattern.rows();
    }

    public int cols() {
        return pattern.cols();
    }

    public int nnz() {
        return pattern.nnz();
    }

    public Device device() {
        return values.device();
    }

    public DType dtype() {
        return values.dtype();
    }

    /** This matrix on another device; differentiable in the values like {@link Tensor#to(Device)}. */
    public SparseMatrix to(Device device) {
        return new SparseMatrix(pattern.to(device), values.to(device));
    }

    @Override
    public String toString() {
        return "SparseMatrix(" + rows() + " x " + cols() + ", nnz=" + nnz() + ", " + dtype() + ", device=" + device() + ")";
    }

    /** values permuted into CSR order (the tensor itself when the entries came sorted). */
    private static Tensor inOrder(Tensor values, long[] order) {
        for (int e = 0; e < order.length; e++) {
            if (order[e] != e) {
                return values.indexSelect(0, Tensor.fromArray(order, order.length).to(values.device()));
            }
        }
        return values;
    }
}
