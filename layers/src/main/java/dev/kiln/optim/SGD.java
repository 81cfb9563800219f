package dev.kiln.optim;

import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, as {@code torch.optim.SGD}: d = g + wd p; with momentum
 * b = μ b + (1 - dampening) d (b = d on the first step), d = nesterov ? d + μ b : b; p -= lr d.
 */
public final class SGD extends Optimizer {
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    public SGD(List<Parameter> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public SGD(List<Parameter> params, double lr) {
        this(params, lr, 0, 0, 0, false);
    }

    @Override
    protected Tensor update(Tensor p, Tensor grad, Map<String, Tensor> state) {
        Tensor d = weightDecay == 0 ? grad : grad.add(p.mul(weightDecay));
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            buf = buf == null ? d.clone() : buf.mul(momentum).add(d.mul(1 - dampening));
            state.put("momentum_buffer", buf);
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        return p.sub(d.mul(lr()));
    }
}
