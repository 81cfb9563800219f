package dev.kiln.data;

import dev.kiln.Generator;
import dev.kiln.distributed.Distributed;

/**
 * This rank's share of a dataset, as {@code torch.utils.data.distributed.DistributedSampler}: every
 * epoch the ranks draw the same permutation (seed + epoch; call {@link #setEpoch} before each epoch)
 * and rank r takes every numReplicas-th index from r. When the dataset does not divide evenly, the
 * permutation is padded by repeating its start so every rank gets as many samples, or with dropLast
 * its tail is dropped. The shards of one epoch are disjoint except for that padding.
 */
public final class DistributedSampler implements Sampler {
    private final int datasetSize;
    private final int numReplicas;
    private final int rank;
    private final boolean shuffle;
    private final long seed;
    private final int numSamples; // per rank
    private int epoch;

    /** Over the default process group's ranks, shuffled with seed 0, padding the last round. */
    public DistributedSampler(Dataset dataset) {
        this(dataset, Distributed.worldSize(), Distributed.rank(), true, 0, false);
    }

    public DistributedSampler(Dataset dataset, int numReplicas, int rank, boolean shuffle, long seed, boolean dropLast) {
        this(dataset.size(), numReplicas, rank, shuffle, seed, dropLast);
    }

    /** Over indices 0..datasetSize-1, for data kept outside a {@link Dataset}. */
    public DistributedSampler(int datasetSize, int numReplicas, int rank, boolean shuffle, long seed, boolean dropLast) {
        if (numReplicas < 1 || rank < 0 || rank >= numReplicas) {
            throw new IllegalArgumentException("DistributedSampler: invalid rank " + rank + ", rank should be in the interval [0, "
                    + (numReplicas - 1) + "] (num_replicas " + numReplicas + ")");
        }
        this.datasetSize = datasetSize;
        this.numReplicas = numReplicas;
        this.rank = rank;
        this.shuffle = shuffle;
        this.seed = seed;
        this.numSamples = dropLast && datasetSize % numReplicas != 0
                ? (datasetSize - numReplicas + numReplicas - 1) / numReplicas // ceil((n - R) / R), as PyTorch
                : (datasetSize + numReplicas - 1) / numReplicas;
    }

    /** The epoch whose permutation the next {@link #epochIndices()} draws. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public int size() {
        return numSamples;
    }

    @Override
    public int[] epochIndices() {
        int total = numSamples * numReplicas;
        int[] order = new int[total];
        if (datasetSize > 0) {
            int[] base = shuffle ? Sampling.permutation(datasetSize, new Generator(seed + epoch)) : Sampling.identity(datasetSize);
            for (int i = 0; i < total; i++) {
                order[i] = base[i % datasetSize]; // padding repeats the start; dropLast truncates
            }
        }
        int[] mine = new int[numSamples];
        for (int i = 0; i < numSamples; i++) {
            mine[i] = order[rank + i * numReplicas];
        }
        return mine;
    }

    @Override
    public String toString() {
        return "DistributedSampler(rank " + rank + " of " + numReplicas + ", " + numSamples + " samples, shuffle=" + shuffle
                + ", seed=" + seed + ", epoch=" + epoch + ")";
    }
}
