package dev.kiln;

import java.util.Arrays;

/** layer_norm and batch_norm, composed from tensor ops (autograd differentiates the composition). */
final class Normalization {
    private Normalization() {
    }

    /** See {@link Functional#layerNorm}. */
    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        String op = "layer_norm";
        int k = normalizedShape.length;
        if (k == 0) {
            throw new IllegalArgumentException(op + ": expected normalized_shape to be at least 1-dimensional, got []");
        }
        Checks.floating(op, "input", x);
        if (x.dim() < k || !Arrays.equals(Arrays.copyOfRange(x.shape(), x.dim() - k, x.dim()), normalizedShape)) {
            throw new IllegalArgumentException(op + ": given normalized_shape=" + Shape.str(normalizedShape)
                    + ", expected input with shape [*, " + Shape.str(normalizedShape).substring(1)
                    + ", but got input of shape " + Shape.str(x.shape()));
        }
        checkAffine(op, "weight", x, weight, normalizedShape, true);
        checkAffine(op, "bias", x, bias, normalizedShape, true);
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = x.dim() - k + i;
        }
        Tensor y = x.sub(x.mean(dims, true)).mul(x.var(dims, 0, true).add(eps).rsqrt());
        return affine(y, weight, bias, normalizedShape);
    }

    /** See {@link Functional#batchNorm}. */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, double momentum, double eps) {
        String op = "batch_norm";
        Checks.floating(op, "input", x);
        if (x.dim() < 2) {
            throw new IllegalArgumentException(op + ": expected input (N, C, *) with at least 2 dims, got shape "
                    + Shape.str(x.shape()));
        }
        int c = x.size(1);
        int[] perChannel = new int[x.dim()]; // (1, C, 1, ...): per-channel vectors broadcast over x
        Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        int[] channels = {c};
        checkAffine(op, "running_mean", x, runningMean, channels, false);
        checkAffine(op, "running_var", x, runningVar, channels, false);
        checkAffine(op, "weight", x, weight, channels, false);
        checkAffine(op, "bias", x, bias, channels, false);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must be defined in evaluation mode");
        }
        Tensor mean;
        Tensor variance;
        if (training) {
            long values = 1; // per channel: N * prod(spatial), as PyTorch (not numel / C, which C = 0 breaks)
            for (int i = 0; i < x.dim(); i++) {
                values = i == 1 ? values : Math.multiplyExact(values, x.size(i));
            }
            if (values == 1) {
                throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input"
                        + " of shape " + Shape.str(x.shape()));
            }
            int[] dims = new int[x.dim() - 1]; // every dim but the channels
            for (int i = 1; i < dims.length; i++) {
                dims[i] = i + 1;
            }
            mean = x.mean(dims, true);
            variance = x.var(dims, 0, true);
            if (runningMean != null && runningVar != null && x.numel() > 0) {
                try (var scope = GradMode.noGrad()) {
                    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.reshape(c).mul(momentum)));
                    runningVar.copy_(runningVar.mul(1 - momentum).add(x.var(dims, 1, false).mul(momentum)));
                }
            }
        } else {
            mean = runningMean.reshape(perChannel);
            variance = runningVar.reshape(perChannel);
        }
        Tensor y = x.sub(mean).mul(variance.add(eps).rsqrt());
        return affine(y, weight, bias, perChannel);
    }

    /**
     * A normalisation's optional weight, bias or statistic: null, or on x's device and dtype, and of
     * the given shape (exact) or with its number of elements (batch norm's, as PyTorch).
     */
    private static void checkAffine(String op, String name, Tensor x, Tensor t, int[] shape, boolean exact) {
        if (t == null) {
            return;
        }
        Checks.compatible(op, "input", x, name, t);
        if (exact ? !Arrays.equals(t.shape(), shape) : t.numel() != Shape.numel(shape)) {
            throw new IllegalArgumentException(op + ": expected " + name + " of shape " + Shape.str(shape) + ", got "
                    + Shape.str(t.shape()));
        }
    }

    /** y * weight + bias, each optional, both viewed as shape to broadcast over y. */
    private static Tensor affine(Tensor y, Tensor weight, Tensor bias, int[] shape) {
        Tensor out = weight == null ? y : y.mul(weight.reshape(shape));
        return bias == null ? out : out.add(bias.reshape(shape));
    }
}
