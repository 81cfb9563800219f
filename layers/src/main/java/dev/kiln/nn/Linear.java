package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/** y = x W^T + b, as {@code torch.nn.Linear}: x (..., in) -> (..., out); PyTorch's default init. */
public final class Linear extends Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight; // (out, in)
    private final Parameter bias; // (out) or null

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Tensor.zeros(new int[] {outFeatures, inFeatures}, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", bias ? Tensor.zeros(new int[] {outFeatures}, DType.FLOAT32, Device.CPU) : null);
        Init.defaultWeight(weight.data(), g);
        if (bias) {
            Init.defaultBias(this.bias.data(), weight.shape(), g);
        }
    }

    public Linear(int inFeatures, int outFeatures, Generator g) {
        this(inFeatures, outFeatures, true, g);
    }

    /** The weight tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.weight. */
    public Tensor weight() {
        return weight == null ? null : weight.data();
    }

    /** The bias tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.bias. */
    public Tensor bias() {
        return bias == null ? null : bias.data();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight.data(), bias == null ? null : bias.data());
    }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null) + ")";
    }
}
