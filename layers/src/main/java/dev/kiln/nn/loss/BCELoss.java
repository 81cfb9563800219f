package dev.kiln.nn.loss;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/**
 * Binary cross entropy of probabilities, as {@code torch.nn.BCELoss}:
 * -w (y log x + (1 - y) log(1 - x)), each log clamped at -100 as PyTorch does so x = 0 or 1 stays finite
 * ({@link Functional#binaryCrossEntropy}, whose gradient is finite there too).
 */
public final class BCELoss implements Loss {
    private final Tensor weight;
    private final Reduction reduction;

    /** {@code weight} broadcastable to the input, or null. */
    public BCELoss(Tensor weight, Reduction reduction) {
        this.weight = weight;
        this.reduction = reduction;
    }

    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Tensor l = Functional.binaryCrossEntropy(input, target);
        if (weight != null) {
            l = l.mul(weight.to(input.dtype()));
        }
        return reduction.apply("binary_cross_entropy", l);
    }
}
