package dev.kiln.nn.loss;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/**
 * Binary cross entropy of logits, as {@code torch.nn.BCEWithLogitsLoss}:
 * (1 - y) x + (1 + (pw - 1) y) softplus(-x), softplus linear past 20 so no exp overflows; pos_weight
 * (per class, broadcast over the last dim) scales the positive term.
 */
public final class BCEWithLogitsLoss implements Loss {
    private final Tensor weight;
    private final Reduction reduction;
    private final Tensor posWeight;

    /** {@code weight} and {@code posWeight} broadcastable to the input, or null. */
    public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
        this.weight = weight;
        this.reduction = reduction;
        this.posWeight = posWeight;
    }

    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN, null);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("binary_cross_entropy_with_logits", input, target);
        Tensor softplusNeg = Functional.softplus(input.neg()); // its gradient -sigmoid(-x) makes the loss's sigmoid(x) - y
        Tensor scale = posWeight == null ? null : posWeight.to(input.dtype()).sub(1).mul(target).add(1);
        Tensor l = target.rsub(1).mul(input).add(scale == null ? softplusNeg : scale.mul(softplusNeg));
        if (weight != null) {
            l = l.mul(weight.to(input.dtype()));
        }
        return reduction.apply("binary_cross_entropy_with_logits", l);
    }
}
