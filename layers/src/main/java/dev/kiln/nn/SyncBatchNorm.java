package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.autograd.Function;
import dev.kiln.autograd.FunctionContext;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;

/**
 * Batch norm whose training statistics are those of the global batch, every rank's batch together,
 * as {@code torch.nn.SyncBatchNorm}: each rank's per-channel count, mean and variance are gathered
 * and merged, and in backward the two per-channel sums of the input gradient are all-reduced, so each
 * rank's input gets the gradient the global batch's loss gives it (built from batch norm's fused
 * pieces, as PyTorch's; double backward is not supported, as there). Running statistics (unbiased variance over the global batch) come out
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
        int[] channels = {x.size(1)};
        Tensor w = weight != null ? weight.reshape(channels) : Tensor.ones(channels, x.dtype(), x.device());
        Tensor b = bias != null ? bias.reshape(channels) : Tensor.zeros(channels, x.dtype(), x.device());
        return new Normalize(group, runningMean, runningVar, factor, eps).apply(x, w, b)[0];
    }

    /**
     * As PyTorch's SyncBatchNorm function, from batch norm's pieces: each rank's per-channel (mean, biased
     * variance, count) all-gathered and merged in double (Chan's parallel variance: no cancellation), one
     * normalisation pass; in backward, the two per-channel sums of batch_norm_backward_reduce all-reduced
     * (the global batch's input gradient), the weight and bias gradients this rank's own (DDP averages them).
     */
    private static final class Normalize extends Function {
        private final ProcessGroup group;
        private final Tensor runningMean;
        private final Tensor runningVar;
        private final double factor;
        private final double eps;

        Normalize(ProcessGroup group, Tensor runningMean, Tensor runningVar, double factor, double eps) {
            this.group = group;
            this.runningMean = runningMean;
            this.runningVar = runningVar;
            this.factor = factor;
            this.eps = eps;
        }

        @Override
        public String name() {
            return "SyncBatchNorm";
        }

        @Override
        protected Tensor[] forward(FunctionContext ctx, Tensor... in) {
            Tensor x = in[0];
            int c = x.size(1);
            long count = c == 0 ? 0 : x.numel() / c;
            Tensor[] local = Functional.batchNormStats(x); // mean, biased variance (C)
            Tensor mine = Tensor.cat(new Tensor[] {local[0].to(DType.FLOAT64).to(Device.CPU),
                local[1].to(DType.FLOAT64).to(Device.CPU), Tensor.full(new int[] {1}, count, DType.FLOAT64, Device.CPU)}, 0);
            double[] all = group.allGather(mine).toDoubleArray(); // (ranks, 2C + 1)
            long total = 0;
            for (int r = 0; r < group.size(); r++) {
                total += (long) all[r * (2 * c + 1) + 2 * c];
            }
            if (total <= 1) {
                throw new IllegalArgumentException("SyncBatchNorm: expected more than 1 value per channel over all ranks when "
                        + "training, got " + total + " (this rank's input: " + Shape.str(x.shape()) + ")");
            }
            double[] mean = new double[c];
            double[] m2 = new double[c]; // the global sum of squared deviations from the global mean
            for (int r = 0; r < group.size(); r++) {
                int at = r * (2 * c + 1);
                double n = all[at + 2 * c];
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] += n * all[at + ch] / total;
                }
            }
            for (int r = 0; r < group.size(); r++) {
                int at = r * (2 * c + 1);
                double n = all[at + 2 * c];
                for (int ch = 0; ch < c; ch++) {
                    double d = all[at + ch] - mean[ch];
                    m2[ch] += n * (all[at + c + ch] + d * d);
                }
            }
            Tensor globalMean = perChannel(mean, 1, x);
            Tensor invstd = perChannel(m2, 1.0 / total, x).add(eps).rsqrt();
            if (runningMean != null && runningVar != null) {
                runningMean.copy_(runningMean.mul(1 - factor).add(globalMean.reshape(runningMean.shape()).mul(factor)));
                Tensor unbiased = perChannel(m2, 1.0 / (total - 1), x).reshape(runningVar.shape());
                runningVar.copy_(runningVar.mul(1 - factor).add(unbiased.mul(factor)));
            }
            ctx.saveForBackward(x, in[1], globalMean, invstd);
            ctx.put("count", total);
            return new Tensor[] {Functional.batchNormElemt(x, globalMean, invstd, in[1], in[2])};
        }

        @Override
        protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
            if (GradMode.isEnabled()) {
                throw new UnsupportedOperationException("SyncBatchNorm: double backward is not supported (its backward"
                        + " is made of batch norm's fused pieces and an all-reduce), as in PyTorch");
            }
            Tensor[] saved = ctx.savedTensors(); // x, weight, mean, invstd
            Tensor[] local = Functional.batchNormBackwardReduce(g[0], saved[0], saved[2]); // sum(g), sum(g (x - mean))
            Tensor sums = Tensor.cat(local, 0);
            group.allReduce(sums, ReduceOp.SUM);
            int c = saved[2].numel();
            Tensor gx = Functional.batchNormBackwardElemt(g[0], saved[0], saved[2], saved[3], saved[1],
                    sums.narrow(0, 0, c), sums.narrow(0, c, c), ctx.<Long>get("count"));
            return new Tensor[] {gx, local[1].mul(saved[3]), local[0]};
        }

        /** values times scale as a (C) tensor of x's dtype and device. */
        private static Tensor perChannel(double[] values, double scale, Tensor x) {
            double[] v = values.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] *= scale;
            }
            return Tensor.fromArray(v, v.length).to(x.dtype()).to(x.device());
        }
    }
}
