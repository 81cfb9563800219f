package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Normalises over the trailing dims given by {@code normalizedShape} with the biased variance, then
 * scales and shifts elementwise, as {@code torch.nn.LayerNorm}: x (..., *normalizedShape).
 */
public final class LayerNorm extends Layer {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight; // normalizedShape or null
    private final Parameter bias; // normalizedShape or null

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(normalizedShape, DType.FLOAT32, Device.CPU) : null);
        this.bias = registerParameter("bias", elementwiseAffine ? Tensor.zeros(normalizedShape, DType.FLOAT32, Device.CPU) : null);
    }

    /** eps 1e-5 with an elementwise affine transform. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.layerNorm(x, normalizedShape, weight == null ? null : weight.data(),
                bias == null ? null : bias.data(), eps);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null) + ")";
    }
}
