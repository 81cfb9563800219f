package dev.kiln.autograd;

import dev.kiln.Tensor;

/**
 * One op's derivative rule: what its node saves, the vector-Jacobian product (reverse mode) and the
 * Jacobian-vector product (forward mode), side by side. Rules are written with tensor ops, so with
 * createGraph they are themselves recorded (higher order). In {@code vjp}, g[i] is the gradient of
 * output i (null for integer outputs); in {@code jvp}, t[i] is the tangent of input i (null when zero).
 *
 * @param differentiableOutputs how many leading outputs carry gradients
 */
record Rule(Saves saves, int differentiableOutputs, Vjp vjp, Jvp jvp) {
    /** The tensors the rule reads back, so the node keeps them alive until backward. */
    enum Saves {
        NOTHING(false, false), INPUTS(true, false), OUTPUTS(false, true), BOTH(true, true);

        final boolean inputs;
        final boolean outputs;

        Saves(boolean inputs, boolean outputs) {
            this.inputs = inputs;
            this.outputs = outputs;
        }
    }

    interface Vjp {
        Tensor[] apply(Node n, Tensor[] g);
    }

    interface Jvp {
        Tensor[] apply(Node n, Tensor[] t);
    }

    /** Every float output carries a gradient. */
    static Rule of(Saves saves, Vjp vjp, Jvp jvp) {
        return new Rule(saves, Integer.MAX_VALUE, vjp, jvp);
    }

    /** Only output 0 carries a gradient; the others (indices, masks, logsumexp) stay constants. */
    static Rule firstOutputOnly(Saves saves, Vjp vjp, Jvp jvp) {
        return new Rule(saves, 1, vjp, jvp);
    }
}
