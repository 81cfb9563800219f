package dev.kiln;

import dev.kiln.graph.Op;
import java.util.Arrays;

/** layer_norm, group_norm and batch_norm, composed from tensor ops (autograd differentiates the composition). */
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
        int len = Shape.numel(normalizedShape);
        Tensor y = normalizeRows(x, len == 0 ? 0 : x.numel() / len, len, eps).reshape(x.shape());
        return affine(y, weight, bias, normalizedShape);
    }

    /** See {@link Functional#groupNorm}. */
    static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        String op = "group_norm";
        Checks.floating(op, "input", x);
        if (x.dim() < 2 || numGroups < 1 || x.size(1) % numGroups != 0) {
            throw new IllegalArgumentException(op + ": expected input (N, C, *) with C divisible by num_groups " + numGroups
                    + ", got input of shape " + Shape.str(x.shape()));
        }
        int c = x.size(1);
        checkAffine(op, "weight", x, weight, new int[] {c}, true);
        checkAffine(op, "bias", x, bias, new int[] {c}, true);
        int n = x.size(0);
        // rows (N * G, C/G * spatial)
        Tensor y = normalizeRows(x, n * numGroups, n == 0 ? 0 : x.numel() / (n * numGroups), eps).reshape(x.shape());
        int[] perChannel = new int[x.dim() - 1];                                                // (C, 1, ...) over (N, C, ...)
        Arrays.fill(perChannel, 1);
        perChannel[0] = c;
        return affine(y, weight, bias, perChannel);
    }

    /**
     * x's values as (rows, len), each row normalized: (x - mean) / sqrt(biased variance + eps). Through batch norm's
     * fused statistics and gradient, as (1, rows, len) with the rows for channels, where rows hold more than one
     * value (a DDPM U-Net's group norms: their mean, variance and float64 copy for it had been 13% of its training
     * samples); composed of tensor ops otherwise (a row of one value normalizes to 0, where batch norm refuses).
     */
    private static Tensor normalizeRows(Tensor x, int rows, int len, double eps) {
        if (rows > 0 && len > 1) {
            return batchNorm(x.reshape(1, rows, len), null, null, null, null, true, 0, eps);
        }
        Tensor g = x.reshape(rows, len);
        return g.sub(g.mean(new int[] {1}, true)).mul(g.var(new int[] {1}, 0, true).add(eps).rsqrt());
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
        int[] channels = {c};
        checkAffine(op, "running_mean", x, runningMean, channels, false);
        checkAffine(op, "running_var", x, runningVar, channels, false);
        checkAffine(op, "weight", x, weight, channels, false);
        checkAffine(op, "bias", x, bias, channels, false);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": running_mean and running_var must be defined in evaluation mode");
        }
        Tensor mean;
        Tensor invstd;
        if (training) {
            long values = perChannelCount(x); // N * prod(spatial), as PyTorch (not numel / C, which C = 0 breaks)
            if (values == 1) {
                throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input"
                        + " of shape " + Shape.str(x.shape()));
            }
            try (var scope = GradMode.noGrad()) { // the batch's statistics: constants, the rule differentiates through them
                Tensor[] stats = Tensor.wrap(x.backend().batchNormStats(x.array())); // mean, biased variance
                // an empty batch has no statistics: zeros, so weight and bias get zero gradients, as PyTorch's
                mean = x.numel() == 0 ? Tensor.zeros(channels, x.dtype(), x.device()) : stats[0];
                invstd = x.numel() == 0 ? Tensor.zeros(channels, x.dtype(), x.device()) : stats[1].add(eps).rsqrt();
                if (runningMean != null && runningVar != null && x.numel() > 0) {
                    Tensor unbiased = stats[1].mul((double) values / (values - 1));
                    runningMean.copy_(runningMean.mul(1 - momentum).add(mean.reshape(runningMean.shape()).mul(momentum)));
                    runningVar.copy_(runningVar.mul(1 - momentum).add(unbiased.reshape(runningVar.shape()).mul(momentum)));
                }
            }
        } else { // running statistics that require grad get gradients (through rsqrt too)
            mean = runningMean.reshape(c);
            invstd = runningVar.reshape(c).add(eps).rsqrt();
        }
        Tensor w = weight != null ? weight.reshape(c) : Tensor.ones(channels, x.dtype(), x.device());
        Tensor b = bias != null ? bias.reshape(c) : Tensor.zeros(channels, x.dtype(), x.device());
        Tensor y = Tensor.wrap(x.backend().batchNormElemt(x.array(), mean.array(), invstd.array(), w.array(), b.array()));
        return AutogradLink.record(new Op.BatchNorm(training, eps), y, x, w, b, mean, invstd);
    }

    /** Values per channel of x (N, C, *): N times the product of the dims after C. */
    private static long perChannelCount(Tensor x) {
        long values = 1;
        for (int i = 0; i < x.dim(); i++) {
            values = i == 1 ? values : Math.multiplyExact(values, x.size(i));
        }
        return values;
    }

    // ---- batch normalisation's primitives, as torch.batch_norm_stats / _elemt / _backward_reduce /
    // _backward_elemt (what SyncBatchNorm and batch_norm's rule are made of); not differentiable

    /** See {@link Functional#batchNormStats}. */
    static Tensor[] batchNormStats(Tensor x) {
        checkPrimitive("batch_norm_stats", x, null);
        return Tensor.wrap(x.backend().batchNormStats(x.array()));
    }

    /** See {@link Functional#batchNormElemt}. */
    static Tensor batchNormElemt(Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor bias) {
        String op = "batch_norm_elemt";
        checkPrimitive(op, x, null, "mean", mean, "invstd", invstd, "weight", weight, "bias", bias);
        return Tensor.wrap(x.backend().batchNormElemt(x.array(), mean.array(), invstd.array(), weight.array(), bias.array()));
    }

    /** See {@link Functional#batchNormBackwardReduce}. */
    static Tensor[] batchNormBackwardReduce(Tensor gy, Tensor x, Tensor mean) {
        checkPrimitive("batch_norm_backward_reduce", x, gy, "mean", mean);
        return Tensor.wrap(x.backend().batchNormBackwardReduce(gy.array(), x.array(), mean.array()));
    }

    /** See {@link Functional#batchNormBackwardElemt}. */
    static Tensor batchNormBackwardElemt(Tensor gy, Tensor x, Tensor mean, Tensor invstd, Tensor weight, Tensor sumDy,
                                         Tensor sumDyXmu, long count) {
        String op = "batch_norm_backward_elemt";
        if ((sumDy == null) != (sumDyXmu == null)) {
            throw new IllegalArgumentException(op + ": sum_dy and sum_dy_xmu must be both given or both null");
        }
        if (count < 0) {
            throw new IllegalArgumentException(op + ": expected a count of values per channel >= 0, got " + count);
        }
        if (sumDy == null) {
            checkPrimitive(op, x, gy, "mean", mean, "invstd", invstd, "weight", weight);
        } else {
            checkPrimitive(op, x, gy, "mean", mean, "invstd", invstd, "weight", weight, "sum_dy", sumDy, "sum_dy_xmu", sumDyXmu);
        }
        return Tensor.wrap(x.backend().batchNormBackwardElemt(gy.array(), x.array(), mean.array(), invstd.array(),
                weight.array(), Tensor.arrayOrNull(sumDy), Tensor.arrayOrNull(sumDyXmu), count));
    }

    /**
     * x floating (N, C, *); gy (or null) of x's shape; each named per-channel tensor (name, tensor pairs)
     * non-null, with C elements, on x's device and dtype. Refuses inputs that require grad
     * while grad mode is on: these primitives record nothing, so a gradient through them would be lost.
     */
    private static void checkPrimitive(String op, Tensor x, Tensor gy, Object... perChannel) {
        Checks.floating(op, "input", x);
        if (x.dim() < 2) {
            throw new IllegalArgumentException(op + ": expected input (N, C, *) with at least 2 dims, got shape "
                    + Shape.str(x.shape()));
        }
        boolean grads = x.requiresGrad();
        if (gy != null) {
            Checks.sameShape(op, "grad_output", gy, "input", x);
            grads |= gy.requiresGrad();
        }
        int[] channels = {x.size(1)};
        for (int i = 0; i < perChannel.length; i += 2) {
            Tensor t = (Tensor) perChannel[i + 1];
            if (t == null) {
                throw new IllegalArgumentException(op + ": " + perChannel[i] + " must not be null");
            }
            checkAffine(op, (String) perChannel[i], x, t, channels, false);
            grads |= t.requiresGrad();
        }
        if (grads && GradMode.isEnabled()) {
            throw new UnsupportedOperationException(op + ": not differentiable (it records no gradient); call it under"
                    + " no_grad, or use batch_norm");
        }
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
