package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

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
        int k = normalizedShape.length;
        if (x.dim() < k || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.dim() - k, x.dim()), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: input of shape " + Shape.str(x.shape())
                    + " does not end with normalized_shape " + Shape.str(normalizedShape));
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = x.dim() - k + i;
        }
        Tensor y = x.sub(x.mean(dims, true)).mul(x.var(dims, 0, true).add(eps).rsqrt());
        if (weight != null) {
            y = y.mul(weight.data()).add(bias.data());
        }
        return y;
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Shape.str(normalizedShape) + ", eps=" + eps + ", elementwise_affine=" + (weight != null) + ")";
    }
}
