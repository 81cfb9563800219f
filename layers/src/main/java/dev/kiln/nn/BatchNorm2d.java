package dev.kiln.nn;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/** Batch norm over (N, C, H, W), as {@code torch.nn.BatchNorm2d}. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    @Override
    protected void checkInput(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d: expected 4-D (N, C, H, W) input, got shape " + Shape.str(x.shape()));
        }
    }
}
