package dev.kiln;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fused optimizer steps, as PyTorch's {@code torch._fused_sgd_} / {@code torch._fused_adam_}: one pass
 * over the parameter, its gradient and its state buffers, which are updated in place (see
 * {@code Backend.sgdStep} / {@code adamStep} for the formulas). The parameter and state must be
 * contiguous tensors of the parameter's shape, dtype and device, each with its own storage; a
 * strided gradient is copied first. Steps are not recorded by autograd: with grad mode on, a tensor
 * that requires grad is refused, as by {@link Tensor#copy_}.
 */
public final class FusedOptim {
    private FusedOptim() {
    }

    /** param (any shape), grad (param's shape), momentumBuffer (param's shape, or null when momentum is 0). */
    public static void sgd_(Tensor param, Tensor grad, Tensor momentumBuffer, SgdParams p) {
        String op = "sgd_step";
        if ((momentumBuffer == null) != (p.momentum() == 0)) {
            throw new IllegalArgumentException(op + ": a momentum buffer is needed exactly when momentum is non-zero (momentum "
                    + p.momentum() + ", buffer " + (momentumBuffer == null ? "null" : Shape.str(momentumBuffer.shape())) + ")");
        }
        Tensor g = prepare(op, param, grad, new String[] {"momentum_buffer"}, momentumBuffer);
        param.backend().sgdStep(param.array(), g.array(), Tensor.arrayOrNull(momentumBuffer), p);
        bumpVersions(param, momentumBuffer);
    }

    /**
     * param (any shape); grad, expAvg, expAvgSq and maxExpAvgSq (param's shape; maxExpAvgSq null
     * without AMSGrad).
     */
    public static void adam_(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, AdamParams p) {
        String op = "adam_step";
        if (expAvg == null || expAvgSq == null) {
            throw new IllegalArgumentException(op + ": exp_avg and exp_avg_sq are required");
        }
        Tensor g = prepare(op, param, grad, new String[] {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, expAvg, expAvgSq,
                maxExpAvgSq);
        param.backend().adamStep(param.array(), g.array(), expAvg.array(), expAvgSq.array(), Tensor.arrayOrNull(maxExpAvgSq), p);
        bumpVersions(param, expAvg, expAvgSq, maxExpAvgSq);
    }

    /** Checks every argument against param; returns grad, contiguous. State entries may be null. */
    private static Tensor prepare(String op, Tensor param, Tensor grad, String[] names, Tensor... state) {
        Checks.floating(op, "param", param);
        List<Tensor> all = new ArrayList<>(List.of(param, grad));
        List<String> allNames = new ArrayList<>(List.of("param", "grad"));
        for (int i = 0; i < state.length; i++) {
            if (state[i] != null) {
                all.add(state[i]);
                allNames.add(names[i]);
            }
        }
        for (int i = 0; i < all.size(); i++) {
            Tensor t = all.get(i);
            String name = allNames.get(i);
            Checks.compatible(op, "param", param, name, t);
            if (!Arrays.equals(t.shape(), param.shape())) {
                throw new IllegalArgumentException(op + ": " + name + " of shape " + Shape.str(t.shape())
                        + " does not match param of shape " + Shape.str(param.shape()));
            }
            if (i != 1 && !t.isContiguous()) {
                throw new IllegalArgumentException(op + ": " + name + " (shape " + Shape.str(t.shape()) + ", strides "
                        + Shape.str(t.stride()) + ") must be contiguous, as it is updated in place");
            }
            for (int j = 0; j < i; j++) {
                if (all.get(j).storage() == t.storage()) {
                    throw new IllegalArgumentException(op + ": " + allNames.get(j) + " and " + name
                            + " share storage; each needs its own (shape " + Shape.str(param.shape()) + ")");
                }
            }
            if (GradMode.isEnabled() && t.requiresGrad()) {
                throw new IllegalStateException(op + ": " + name + " requires grad, but optimizer steps are not recorded;"
                        + " run the step inside GradMode.noGrad() (shape " + Shape.str(t.shape()) + ")");
            }
        }
        return grad.contiguous();
    }

    private static void bumpVersions(Tensor... written) {
        for (Tensor t : written) {
            if (t != null) {
                t.storage().bumpVersion();
            }
        }
    }
}
