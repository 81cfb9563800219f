package dev.kiln.nn;

import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import java.util.Arrays;

/**
 * Batch norm whose training statistics are those of the global batch, every rank's batch together,
 * as {@code torch.nn.SyncBatchNorm}: the per-channel count, sum and centred sum of squares are
 * all-reduced, and so are their gradients in backward, so each rank's input gets the gradient the
 * global batch's loss gives it. Running statistics (unbiased variance over the global batch) come out
 * the same on every rank. With one rank, or in eval mode, it is plain batch norm.
 */
public final class SyncBatchNorm extends BatchNorm {
    public SyncBatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats,
                         ProcessGroup group) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
        syncWith(group);
    }

    /** eps 1e-5, momentum 0.1, affine, tracking running statistics, over the default process group. */
    public SyncBatchNorm(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true, Distributed.group());
    }

    /**
     * Makes every {@link BatchNorm} in module synchronise over group, as
     * {@code SyncBatchNorm.convert_sync_batchnorm}. The layers keep their parameters and buffers; unlike
     * PyTorch, which builds new modules, they are changed in place, and module is returned.
     */
    public static <M extends Module> M convertSyncBatchNorm(M module, ProcessGroup group) {
        module.apply(m -> {
            if (m instanceof BatchNorm bn) {
                bn.syncWith(group);
            }
        });
        return module;
    }

    @Override
    protected void checkInput(Tensor x) {
        if (x.dim() < 2) {
            throw new IllegalArgumentException("SyncBatchNorm: expected input (N, C, *) with at least 2 dims, got shape "
                    + Shape.str(x.shape()));
        }
    }

    /** Training-mode batch norm of x with the statistics of every rank's x; updates the running ones by factor. */
    static Tensor normalize(Tensor x, ProcessGroup group, Tensor runningMean, Tensor runningVar, Tensor weight,
                            Tensor bias, double factor, double eps) {
        int c = x.size(1);
        int[] dims = new int[x.dim() - 1]; // every dim but the channels
        for (int i = 1; i < dims.length; i++) {
            dims[i] = i + 1;
        }
        int[] perChannel = new int[x.dim()]; // (1, C, 1, ...)
        Arrays.fill(perChannel, 1);
        perChannel[1] = c;
        Tensor count = Tensor.fromArray(new long[] {(long) x.numel() / Math.max(c, 1)}, new int[] {1});
        group.allReduce(count, ReduceOp.SUM);
        long total = count.toLongArray()[0];
        if (total <= 1) {
            throw new IllegalArgumentException("SyncBatchNorm: expected more than 1 value per channel over all ranks when "
                    + "training, got " + total + " (this rank's input: " + Shape.str(x.shape()) + ")");
        }
        AllReduceSum sum = new AllReduceSum(group);
        Tensor mean = sum.apply(x.sum(dims, false))[0].div(total).reshape(perChannel); // (1, C, 1, ...)
        Tensor centred = x.sub(mean);
        Tensor variance = sum.apply(centred.square().sum(dims, false))[0].div(total); // (C), biased
        if (runningMean != null && runningVar != null) {
            try (var scope = GradMode.noGrad()) {
                Tensor m = mean.reshape(c).detach().to(runningMean.dtype());
                Tensor v = variance.detach().mul((double) total / (total - 1)).to(runningVar.dtype());
                runningMean.copy_(runningMean.mul(1 - factor).add(m.mul(factor)));
                runningVar.copy_(runningVar.mul(1 - factor).add(v.mul(factor)));
            }
        }
        Tensor y = centred.mul(variance.add(eps).rsqrt().reshape(perChannel));
        if (weight != null) {
            y = y.mul(weight.reshape(perChannel));
        }
        return bias == null ? y : y.add(bias.reshape(perChannel));
    }
}
