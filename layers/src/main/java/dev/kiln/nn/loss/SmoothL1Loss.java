package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** d = |input - target|: d &lt; beta ? 0.5 d² / beta : d - 0.5 beta, as {@code torch.nn.SmoothL1Loss}; beta 0 is L1. */
public final class SmoothL1Loss implements Loss {
    private final Reduction reduction;
    private final double beta;

    public SmoothL1Loss(Reduction reduction, double beta) {
        if (beta < 0) {
            throw new IllegalArgumentException("smooth_l1_loss: beta must be >= 0, got " + beta);
        }
        this.reduction = reduction;
        this.beta = beta;
    }

    public SmoothL1Loss() {
        this(Reduction.MEAN, 1.0);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("smooth_l1_loss", input, target);
        Tensor d = input.sub(target).abs();
        Tensor l = beta == 0 ? d : Tensor.where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta));
        return reduction.apply("smooth_l1_loss", l);
    }
}
