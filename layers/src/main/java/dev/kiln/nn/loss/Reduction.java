package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** How per-element losses become the result, as PyTorch's {@code reduction=} argument. */
public enum Reduction {
    NONE, MEAN, SUM,
    /** Sum divided by the batch size (dim 0): KL divergence only, as PyTorch's 'batchmean'. */
    BATCH_MEAN;

    /** Applies this reduction to unweighted elementwise losses. */
    public Tensor apply(String loss, Tensor l) {
        switch (this) {
            case NONE: return l;
            case MEAN: return l.mean();
            case SUM: return l.sum();
            default: throw new IllegalArgumentException(loss + ": reduction " + this + " is only for KLDivLoss");
        }
    }
}
