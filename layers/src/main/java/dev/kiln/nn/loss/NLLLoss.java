package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/**
 * Negative log-likelihood of log-probabilities, as {@code torch.nn.NLLLoss}: input (N, C, d...),
 * int64 target (N, d...), or unbatched input (C) and target (); class weights, ignore_index, and a mean weighted by the target's weights.
 */
public final class NLLLoss implements Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;

    /** {@code weight} (C) or null. */
    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
    }

    public NLLLoss() {
        this(null, -100, Reduction.MEAN);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        if (input.dim() == 1) {
            return ClassTarget.unbatched("nll_loss", input, target, reduction, this::forward);
        }
        ClassTarget t = ClassTarget.of("nll_loss", input, target, weight, ignoreIndex);
        return t.reduce("nll_loss", t.weightedNll(), reduction);
    }
}
