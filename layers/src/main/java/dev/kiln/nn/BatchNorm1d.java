package dev.kiln.nn;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/** Batch norm over (N, C) or (N, C, L), as {@code torch.nn.BatchNorm1d}. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    @Override
    protected void checkInput(Tensor x) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("BatchNorm1d: expected 2-D (N, C) or 3-D (N, C, L) input, got shape "
                    + Shape.str(x.shape()));
        }
    }
}
