package dev.kiln;

import dev.kiln.graph.Op;

/** The sparse-dense products behind {@link SparseMatrix}: argument checks, the backend call, the autograd record. */
final class SparseOps {
    private SparseOps() {
    }

    /** pattern (M, K) with values (nnz), x (K, N) -> (M, N). */
    static Tensor sparseMm(SparsePattern pattern, Tensor values, Tensor x) {
        String op = "sparse_mm";
        Checks.rank(op, "dense", x, 2, "(K, N)");
        Checks.compatible(op, "values", values, "dense", x);
        onPatternDevice(op, pattern, "dense", x);
        if (x.size(0) != pattern.cols()) {
            throw new IllegalArgumentException(op + ": a " + pattern.rows() + " x " + pattern.cols()
                    + " sparse matrix cannot multiply dense " + Shape.str(x.shape()) + " (need " + pattern.cols() + " rows)");
        }
        Shape.numel(op, new int[] {pattern.rows(), x.size(1)});   // the output's size fits Kiln's 32-bit offsets
        Tensor out = Tensor.wrap(x.backend().sparseMm(pattern.crowIndices().array(), pattern.colIndices().array(),
                values.array(), x.array()));
        return AutogradLink.record(new Op.SparseMm(pattern), out, values, x);
    }

    /** (a (M, K) @ b (K, N)) at pattern's (M, N) positions -> (nnz). */
    static Tensor sampledMm(SparsePattern pattern, Tensor a, Tensor b) {
        String op = "sampled_mm";
        Checks.rank(op, "a", a, 2, "(M, K)");
        Checks.rank(op, "b", b, 2, "(K, N)");
        Checks.compatible(op, "a", a, "b", b);
        Checks.floating(op, "a", a);
        onPatternDevice(op, pattern, "a", a);
        if (a.size(0) != pattern.rows() || b.size(1) != pattern.cols() || a.size(1) != b.size(0)) {
            throw new IllegalArgumentException(op + ": a " + Shape.str(a.shape()) + " @ b " + Shape.str(b.shape())
                    + " does not give the " + pattern.rows() + " x " + pattern.cols() + " matrix of " + pattern);
        }
        Tensor out = Tensor.wrap(a.backend().sampledMm(pattern.rowIndices().array(), pattern.colIndices().array(),
                a.array(), b.array()));
        return AutogradLink.record(new Op.SampledMm(pattern), out, a, b);
    }

    private static void onPatternDevice(String op, SparsePattern pattern, String name, Tensor x) {
        if (!x.device().equals(pattern.device())) {
            throw new IllegalArgumentException(op + ": " + name + " " + Shape.str(x.shape()) + " is on " + x.device()
                    + " but the sparse matrix is on " + pattern.device() + "; move one with .to(device)");
        }
    }
}
