package dev.kiln.nn.loss;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/**
 * Cross entropy of logits, as {@code torch.nn.CrossEntropyLoss}: input (N, C, d...) and either
 * int64 class indices (N, d...) or class probabilities shaped like the input; unbatched, input (C)
 * and a class index () or probabilities (C). Uses log_softmax
 * (log-sum-exp), so large logits do not overflow. Label smoothing mixes in the uniform
 * distribution with weight ε; class weights, ignore_index (indices only) and reductions follow PyTorch.
 */
public final class CrossEntropyLoss implements Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;
    private final double labelSmoothing;

    /** {@code weight} (C) or null. */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("cross_entropy: label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    public CrossEntropyLoss() {
        this(null, -100, Reduction.MEAN, 0);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        if (input.dim() == 1) {
            return ClassTarget.unbatched("cross_entropy", input, target, reduction, this::forward);
        }
        ClassTarget.checkRank("cross_entropy", input);
        Tensor logp = Functional.logSoftmax(input, 1); // (N, C, d...)
        return target.dtype().isFloatingPoint() ? withProbabilities(logp, target) : withIndices(logp, target);
    }

    private Tensor withIndices(Tensor logp, Tensor target) {
        ClassTarget t = ClassTarget.of("cross_entropy", logp, target, weight, ignoreIndex);
        Tensor nll = t.reduce("cross_entropy", t.weightedNll(), reduction);
        if (labelSmoothing == 0) {
            return nll;
        }
        int c = logp.size(1);
        // the uniform part: -sum_c w_c log p_c per row, 0 where ignored, reduced like the NLL part
        Tensor rows = weight == null ? t.rows() : t.rows().mul(weight.to(logp.dtype()));
        Tensor smooth = rows.sum(new int[] {1}, false).neg().mul(t.kept().to(logp.dtype())); // (M)
        Tensor uniform = reduction == Reduction.MEAN ? smooth.sum().div(t.rowWeight().sum())
                : t.reduce("cross_entropy", smooth, reduction);
        return nll.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing / c));
    }

    private Tensor withProbabilities(Tensor logp, Tensor target) {
        LossArguments.sameShape("cross_entropy", logp, target);
        int c = logp.size(1);
        Tensor q = labelSmoothing == 0 ? target : target.mul(1 - labelSmoothing).add(labelSmoothing / c);
        Tensor terms = ClassTarget.classesLast(logp.mul(q)); // (N, d..., C)
        if (weight != null) {
            terms = terms.mul(weight.to(logp.dtype()));
        }
        Tensor perSample = terms.sum(new int[] {-1}, false).neg(); // (N, d...)
        return reduction.apply("cross_entropy", perSample);
    }
}
