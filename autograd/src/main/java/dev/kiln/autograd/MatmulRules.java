package dev.kiln.autograd;

import static dev.kiln.autograd.Grads.one;
import static dev.kiln.autograd.Grads.plus;
import static dev.kiln.autograd.Grads.sumTo;
import static dev.kiln.autograd.Rule.Saves.INPUTS;

import dev.kiln.Tensor;

/** Derivative rule of matmul: a (..., M, K) @ b (..., K, N), batch dims broadcast. */
final class MatmulRules {
    private MatmulRules() {
    }

    static final Rule MATMUL = Rule.of(INPUTS, (n, g) -> new Tensor[] {
        n.needsGrad(0) ? sumTo(g[0].matmul(n.input(1).mT()), n.inputShapes[0]) : null,
        n.needsGrad(1) ? sumTo(gradRight(n.input(0), n.input(1), g[0]), n.inputShapes[1]) : null},
        (n, t) -> one(plus(t[0] == null ? null : t[0].matmul(n.input(1)), t[1] == null ? null : n.input(0).matmul(t[1]))));

    /**
     * a^T g, the gradient of b in a @ b, laid out like b: for a transposed matrix (linear's weight.t())
     * it is computed as (g^T a)^T, the same sums in the same order, so the gradient reaching the matrix
     * behind the view is contiguous and the optimizer's elementwise steps read it in order.
     */
    private static Tensor gradRight(Tensor a, Tensor b, Tensor g) {
        if (a.dim() == 2 && b.dim() == 2 && !b.isContiguous() && b.mT().isContiguous()) {
            return g.mT().matmul(a).mT();
        }
        return a.mT().matmul(g);
    }
}
