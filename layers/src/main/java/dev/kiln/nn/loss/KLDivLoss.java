package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/**
 * KL divergence of a target distribution from log-probabilities {@code input}, as {@code torch.nn.KLDivLoss}:
 * target (log t if logTarget) pointwise t (log t - input), with 0 log 0 = 0. Use
 * {@link Reduction#BATCH_MEAN} for the mathematical KL per sample; MEAN averages over every element.
 */
public final class KLDivLoss implements Loss {
    private final Reduction reduction;
    private final boolean logTarget;

    public KLDivLoss(Reduction reduction, boolean logTarget) {
        this.reduction = reduction;
        this.logTarget = logTarget;
    }

    public KLDivLoss() {
        this(Reduction.MEAN, false);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("kl_div", input, target);
        Tensor l;
        if (logTarget) {
            l = target.exp().mul(target.sub(input));
        } else {
            Tensor positive = target.gt(0);
            Tensor logT = Tensor.where(positive, target, Tensor.onesLike(target)).log(); // log 1 = 0 where t = 0
            l = target.mul(logT.sub(input));
        }
        if (reduction == Reduction.BATCH_MEAN) {
            return l.sum().div(input.dim() == 0 ? 1 : input.size(0));
        }
        return reduction.apply("kl_div", l);
    }
}
