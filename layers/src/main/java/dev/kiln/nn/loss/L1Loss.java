package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** |input - target|, reduced, as {@code torch.nn.L1Loss}. */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    public L1Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    public L1Loss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("l1_loss", input, target);
        return reduction.apply("l1_loss", input.sub(target).abs());
    }
}
