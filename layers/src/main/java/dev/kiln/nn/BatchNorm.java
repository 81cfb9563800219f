package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.distributed.ProcessGroup;

/**
 * Batch normalisation over every dim but the channel dim 1, as {@code torch.nn.BatchNorm*d}
 * ({@link Functional#batchNorm}). In training it normalises with the batch's biased variance and
 * updates the running mean and the running unbiased variance with {@code momentum} (null:
 * cumulative average); in eval it uses the running statistics. Buffers are named as PyTorch's,
 * num_batches_tracked included. Synchronised ({@link SyncBatchNorm}), training uses the statistics of
 * the batch of every rank of a process group.
 */
public abstract class BatchNorm extends Layer {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final Parameter weight; // (C) or null
    private final Parameter bias; // (C) or null
    private final boolean trackRunningStats;
    private ProcessGroup syncGroup; // null: statistics of this process's batch only

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

    /** From now on training normalises with the statistics of every rank of group (SyncBatchNorm). */
    void syncWith(ProcessGroup group) {
        syncGroup = group;
    }

    ProcessGroup syncGroup() {
        return syncGroup;
    }

    /** Throws unless x has a rank this layer accepts, naming the layer and the shape. */
    protected abstract void checkInput(Tensor x);

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
        checkInput(x);
        if (x.size(1) != numFeatures) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected " + numFeatures
                    + " channels in dim 1, got input of shape " + Shape.str(x.shape()));
        }
        double factor = 0; // how far the running statistics move, as PyTorch's exponential_average_factor
        if (isTraining() && trackRunningStats) {
            try (var scope = GradMode.noGrad()) {
                Tensor count = buffer("num_batches_tracked");
                count.copy_(count.add(1)); // int64 on the buffer's device
                factor = momentum != null ? momentum : 1.0 / count.item();
            }
        }
        Tensor runningMean = trackRunningStats ? buffer("running_mean") : null;
        Tensor runningVar = trackRunningStats ? buffer("running_var") : null;
        Tensor w = weight == null ? null : weight.data();
        Tensor b = bias == null ? null : bias.data();
        boolean batchStatistics = isTraining() || !trackRunningStats;
        if (batchStatistics && syncGroup != null && syncGroup.size() > 1) {
            return SyncBatchNorm.normalize(x, syncGroup, runningMean, runningVar, w, b, factor, eps);
        }
        return Functional.batchNorm(x, runningMean, runningVar, w, b, batchStatistics, factor, eps);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine="
                + (weight != null) + ", track_running_stats=" + trackRunningStats + ")";
    }
}
