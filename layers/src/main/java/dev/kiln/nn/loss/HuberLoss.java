package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** d = |input - target|: d &lt; delta ? 0.5 d² : delta (d - 0.5 delta), as {@code torch.nn.HuberLoss}. */
public final class HuberLoss implements Loss {
    private final Reduction reduction;
    private final double delta;

    public HuberLoss(Reduction reduction, double delta) {
        if (delta <= 0) {
            throw new IllegalArgumentException("huber_loss: delta must be > 0, got " + delta);
        }
        this.reduction = reduction;
        this.delta = delta;
    }

    public HuberLoss() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("huber_loss", input, target);
        Tensor d = input.sub(target).abs();
        return reduction.apply("huber_loss", Tensor.where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)));
    }
}
