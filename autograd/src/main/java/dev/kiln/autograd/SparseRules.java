package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.one;
import static dev.kiln.autograd.Grads.plus;
import static dev.kiln.autograd.Rule.Saves.INPUTS;

import dev.kiln.SparseMatrix;
import dev.kiln.SparsePattern;
import dev.kiln.Tensor;

/**
 * Derivative rules of the sparse-dense products, each written with the two products themselves, so
 * they differentiate again. With A = (pattern, v) of shape (M, K):
 * <pre>
 *   y = A @ x:                dv = (g @ x^T) at the pattern   dx = A^T @ g
 *   s = (a @ b) at pattern:   da = S @ b^T                    db = (S^T @ a)^T   with S = (pattern, g)
 * </pre>
 */
final class SparseRules {
    private SparseRules() {
    }

    /** inputs: values (nnz), x (K, N). */
    static Rule sparseMm(SparsePattern p) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? SparseMatrix.sampledMm(p, g[0], n.input(1).mT()).values() : null,
            n.needsGrad(1) ? SparseMatrix.of(p, n.input(0)).t().mm(g[0]) : null},
            (n, t) -> one(plus(t[0] == null ? null : SparseMatrix.of(p, t[0]).mm(n.input(1)),
                    t[1] == null ? null : SparseMatrix.of(p, n.input(0)).mm(t[1]))));
    }

    /** inputs: a (M, K), b (K, N). */
    static Rule sampledMm(SparsePattern p) {
        return Rule.of(INPUTS, (n, g) -> new Tensor[] {
            n.needsGrad(0) ? SparseMatrix.of(p, g[0]).mm(n.input(1).mT()) : null,
            n.needsGrad(1) ? SparseMatrix.of(p, g[0]).t().mm(n.input(0)).mT() : null},
            (n, t) -> one(plus(t[0] == null ? null : SparseMatrix.sampledMm(p, t[0], n.input(1)).values(),
                    t[1] == null ? null : SparseMatrix.sampledMm(p, n.input(0), t[1]).values())));
    }
}
