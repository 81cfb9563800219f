package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** (input - target)², reduced, as {@code torch.nn.MSELoss}. */
public final class MSELoss implements Loss {
    private final Reduction reduction;

    public MSELoss(Reduction reduction) {
        this.reduction = reduction;
    }

    public MSELoss() {
        this(Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        LossArguments.sameShape("mse_loss", input, target);
        return reduction.apply("mse_loss", input.sub(target).square());
    }
}
