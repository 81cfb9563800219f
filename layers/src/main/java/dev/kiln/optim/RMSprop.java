package dev.kiln.optim;

import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * RMSprop, as {@code torch.optim.RMSprop}: s = α s + (1 - α) g²; a = sqrt(s - ḡ²) + eps if centered
 * (ḡ the running mean gradient) else sqrt(s) + eps; with momentum b = μ b + g / a, p -= lr b; else p -= lr g / a.
 */
public final class RMSprop extends Optimizer {
    private final double alpha;
    private final double eps;
    private final double weightDecay;
    private final double momentum;
    private final boolean centered;

    public RMSprop(List<Parameter> params, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        super(params, lr);
        this.alpha = alpha;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** alpha 0.99, eps 1e-8, no weight decay or momentum, not centered. */
    public RMSprop(List<Parameter> params, double lr) {
        this(params, lr, 0.99, 1e-8, 0, 0, false);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state) {
        incrementStep(state);
        Tensor g = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        Tensor sq = state.getOrDefault("square_avg", Tensor.zerosLike(p)).mul(alpha).add(g.square().mul(1 - alpha));
        state.put("square_avg", sq);
        Tensor var = sq;
        if (centered) {
            Tensor ga = state.getOrDefault("grad_avg", Tensor.zerosLike(p)).mul(alpha).add(g.mul(1 - alpha));
            state.put("grad_avg", ga);
            var = sq.sub(ga.square());
        }
        Tensor step = g.div(var.sqrt().add(eps));
        if (momentum > 0) {
            step = state.getOrDefault("momentum_buffer", Tensor.zerosLike(p)).mul(momentum).add(step);
            state.put("momentum_buffer", step);
        }
        p.copy_(p.sub(step.mul(lr())));
    }
}
