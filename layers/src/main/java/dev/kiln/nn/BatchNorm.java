package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.Tensor;

/**
 * Batch normalisation over every dim but the channel dim 1, as {@code torch.nn.BatchNorm*d}. In
 * training it normalises with the batch's biased variance and updates the running mean and the
 * running unbiased variance with {@code momentum} (null: cumulative average); in eval it uses the
 * running statistics. Buffers are named as PyTorch's, num_batches_tracked included.
 */
public abstract class BatchNorm extends Layer {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final Parameter weight; // (C) or null
    private final Parameter bias; // (C) or null
    private final boolean trackRunningStats;

    protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
        int[] c = {numFeatures};
        this.weight = registerParameter("weight", affine ? Tensor.ones(c, DType.FLOAT32, Device.CPU) : null);
        this.bias = registerParameter("bias", affine ? Tensor.zeros(c, DType.FLOAT32, Device.CPU) : null);
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(c, DType.FLOAT32, Device.CPU));
            registerBuffer("running_var", Tensor.ones(c, DType.FLOAT32, Device.CPU));
            registerBuffer("num_batches_tracked", Tensor.zeros(new int[0], DType.INT64, Device.CPU));
        }
    }

    /** Throws unless x has a rank this layer accepts, naming the layer and the shape. */
    protected abstract void checkInput(Tensor x);

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        if (x.size(1) != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + numFeatures
                    + " channels in dim 1, got input of shape " + dev.kiln.Shape.str(x.shape()));
        }
        int[] dims = new int[x.dim() - 1]; // every dim but 1
        dims[0] = 0;
        for (int i = 2; i < x.dim(); i++) {
            dims[i - 1] = i;
        }
        int[] perChannel = new int[x.dim()]; // (1, C, 1, ...) to broadcast per-channel vectors
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = numFeatures;
        Tensor mean;
        Tensor var;
        if (isTraining() || !trackRunningStats) {
            mean = x.mean(dims, true);
            var = x.var(dims, 0, true);
            if (isTraining() && trackRunningStats) {
                updateRunningStats(mean, x.var(dims, 1, false), perChannel);
            }
        } else {
            mean = buffer("running_mean").reshape(perChannel);
            var = buffer("running_var").reshape(perChannel);
        }
        Tensor y = x.sub(mean).mul(var.add(eps).rsqrt());
        if (weight != null) {
            y = y.mul(weight.data().reshape(perChannel)).add(bias.data().reshape(perChannel));
        }
        return y;
    }

    private void updateRunningStats(Tensor mean, Tensor unbiasedVar, int[] perChannel) {
        try (var scope = GradMode.noGrad()) {
            Tensor count = buffer("num_batches_tracked");
            count.copy_(count.add(Tensor.scalar(1, DType.INT64)));
            double m = momentum != null ? momentum : 1.0 / count.item();
            Tensor rm = buffer("running_mean");
            Tensor rv = buffer("running_var");
            rm.copy_(rm.mul(1 - m).add(mean.reshape(numFeatures).mul(m)));
            rv.copy_(rv.mul(1 - m).add(unbiasedVar.mul(m)));
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine="
                + (weight != null) + ", track_running_stats=" + trackRunningStats + ")";
    }
}
