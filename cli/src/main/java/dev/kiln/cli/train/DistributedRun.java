package dev.kiln.cli.train;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cli.Kiln;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.data.DistributedSampler;
import dev.kiln.distributed.Distributed;
import dev.kiln.distributed.ProcessGroup;
import dev.kiln.distributed.ReduceOp;
import dev.kiln.nn.Layer;
import dev.kiln.nn.SyncBatchNorm;
import dev.kiln.nn.parallel.DistributedDataParallel;

/**
 * What `kiln train --distributed` changes, in one place: the rank's share of each epoch, the model
 * wrapped in DistributedDataParallel, metrics summed over ranks, and which rank writes. Without
 * --distributed it is one process: rank 0 of 1, nothing wrapped or reduced.
 */
final class DistributedRun {
    private final ProcessGroup group; // null: one process

    private DistributedRun(ProcessGroup group) {
        this.group = group;
    }

    static DistributedRun start(TrainConfig cfg) {
        return new DistributedRun(cfg.distributed() ? Distributed.initProcessGroup("mpi") : null);
    }

    int rank() {
        return group == null ? 0 : group.rank();
    }

    int size() {
        return group == null ? 1 : group.size();
    }

    /** Rank 0 writes the run's files and prints; the other ranks only compute. */
    boolean writes() {
        return rank() == 0;
    }

    String describe() {
        return group == null ? "" : ", " + size() + " ranks (" + group.description() + ")";
    }

    /** The model the steps run: model itself, or wrapped for data-parallel training (after model.to(device)). */
    Layer wrap(Layer model, boolean syncBatchNorm) {
        if (group == null) {
            return model;
        }
        if (syncBatchNorm) {
            SyncBatchNorm.convertSyncBatchNorm(model, group);
        }
        return new DistributedDataParallel(model, group, DistributedDataParallel.Options.defaults());
    }

    /** This rank's mini-batches of an epoch: one shared permutation (the one-process run's), every size()-th sample. */
    Batches epochBatches(LabeledImages train, int batchSize, Device device, long seed, int epoch) {
        long epochSeed = seed * 1000003L; // + epoch: the epoch's own stream, so a resumed run shuffles as an uninterrupted one
        if (group == null) {
            return Batches.shuffled(train, batchSize, device, new Generator(epochSeed + epoch));
        }
        DistributedSampler sampler = new DistributedSampler(train.size(), size(), rank(), true, epochSeed, false);
        sampler.setEpoch(epoch);
        return Batches.inOrder(train, sampler.epochIndices(), batchSize, device);
    }

    /** Sums over ranks, element by element. */
    double[] sum(double... values) {
        if (group == null) {
            return values;
        }
        Tensor t = Tensor.of(values);
        group.allReduce(t, ReduceOp.SUM);
        return t.toDoubleArray();
    }

    /** The model on the whole test set, each rank evaluating a contiguous share. */
    Evaluation evaluate(Layer model, LabeledImages test, int batchSize, Device device, int classes) {
        int from = (int) ((long) test.size() * rank() / size());
        int to = (int) ((long) test.size() * (rank() + 1) / size());
        double[] local = new double[3 + classes * classes]; // loss sum, correct, count, confusion
        if (to > from) {
            Evaluation ev = Evaluation.of(model, test.range(from, to), batchSize, device, classes);
            local[0] = ev.loss() * (to - from);
            local[1] = ev.accuracy() * (to - from);
            local[2] = to - from;
            for (int t = 0; t < classes; t++) {
                for (int p = 0; p < classes; p++) {
                    local[3 + t * classes + p] = ev.confusion()[t][p];
                }
            }
        }
        double[] all = sum(local);
        long[][] confusion = new long[classes][classes];
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                confusion[t][p] = Math.round(all[3 + t * classes + p]);
            }
        }
        return new Evaluation(all[0] / all[2], Math.round(all[1]) / all[2], confusion);
    }

    /**
     * A failure on this rank, said once, then the job ends. A {@link UserError} is the same on every
     * rank (the same arguments and files): rank 0 says it and ends the job, the others wait for that.
     * Anything else is this rank's own: it says so, with the trace, and ends every rank at once.
     */
    void fail(RuntimeException e) {
        if (group == null) {
            throw e;
        }
        boolean shared = e instanceof UserError;
        if (shared && rank() != 0) {
            Distributed.destroyProcessGroup(); // returns when rank 0 has ended the job
            System.exit(Kiln.USER_ERROR);
        }
        System.err.println("kiln: rank " + rank() + " of " + size() + " failed: " + (shared ? e.getMessage() : e));
        if (!shared) {
            e.printStackTrace();
        }
        System.err.flush();
        group.abort(shared ? Kiln.USER_ERROR : 1);
    }

    void close() {
        if (group != null) {
            Distributed.destroyProcessGroup();
        }
    }
}
