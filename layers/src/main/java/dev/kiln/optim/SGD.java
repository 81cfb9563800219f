package dev.kiln.optim;

import dev.kiln.FusedOptim;
import dev.kiln.SgdParams;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, as {@code torch.optim.SGD}: d = g + wd p; with momentum
 * b = μ b + (1 - dampening) d (b = d on the first step), d = nesterov ? d + μ b : b; p -= lr d.
 * Each step is one fused pass ({@link FusedOptim#sgd_}).
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
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> state) {
        Tensor buf = state.get("momentum_buffer");
        boolean first = momentum != 0 && buf == null;
        if (first) {
            buf = Tensor.zerosLike(p);  // set to the first step's gradient by the fused step
            state.put("momentum_buffer", buf);
        }
        FusedOptim.sgd_(p, grad, momentum != 0 ? buf : null,
                new SgdParams(lr(), momentum, dampening, weightDecay, nesterov, first));
    }
}
