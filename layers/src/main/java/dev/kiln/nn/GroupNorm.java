package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Tensor;

/**
 * Normalises x (N, C, *) over groups of C / numGroups channels with the biased variance, then scales and shifts per
 * channel, as {@code torch.nn.GroupNorm}; independent of the batch size, so the same in training and evaluation.
 */
public final class GroupNorm extends Layer {
    private final int numGroups;
    private final int numChannels;
    private final double eps;
    private final Parameter weight; // (C) or null
    private final Parameter bias; // (C) or null

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups < 1 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels " + numChannels + " must be divisible by num_groups "
                    + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.weight = registerParameter("weight", affine ? Tensor.ones(new int[] {numChannels}, DType.FLOAT32, Device.CPU) : null);
        this.bias = registerParameter("bias", affine ? Tensor.zeros(new int[] {numChannels}, DType.FLOAT32, Device.CPU) : null);
    }

    /** eps 1e-5 with a per-channel affine transform. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.groupNorm(x, numGroups, weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps);
    }

    @Override
    public String toString() {
        return "GroupNorm(" + numGroups + ", " + numChannels + ", eps=" + eps + ", affine=" + (weight != null) + ")";
    }
}
