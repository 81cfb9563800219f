package dev.kiln.optim;

import dev.kiln.AdamParams;
import dev.kiln.FusedOptim;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Adam, as {@code torch.optim.Adam} (L2 weight decay added to the gradient, optional AMSGrad), and
 * AdamW, as {@code torch.optim.AdamW} (decoupled decay p *= 1 - lr wd before the Adam step).
 * Each step is one fused pass ({@link FusedOptim#adam_}).
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final boolean amsgrad;
    private final boolean decoupled;

    private Adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad, boolean decoupled) {
        super(params, lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.amsgrad = amsgrad;
        this.decoupled = decoupled;
    }

    public static Adam adam(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean amsgrad) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    /** lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Adam adam(List<Parameter> params, double lr) {
        return adam(params, lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public static Adam adamW(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay,
                             boolean amsgrad) {
        return new Adam(params, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }

    /** betas (0.9, 0.999), eps 1e-8, weight decay 0.01 as PyTorch's AdamW default. */
    public static Adam adamW(List<Parameter> params, double lr) {
        return adamW(params, lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state) {
        long t = (long) incrementStep(state);
        FusedOptim.adam_(p, grad, buffer(state, "exp_avg", p), buffer(state, "exp_avg_sq", p),
                amsgrad ? buffer(state, "max_exp_avg_sq", p) : null,
                new AdamParams(lr(), beta1, beta2, eps, weightDecay, decoupled, t));
    }

    /** The state entry {@code name}, zeros of p's shape on first use. */
    private static Tensor buffer(Map<String, Tensor> state, String name, Tensor p) {
        return state.computeIfAbsent(name, k -> Tensor.zerosLike(p));
    }
}
