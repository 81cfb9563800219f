package dev.kiln.data;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/** The samples of a dataset at the given indices, in that order, as torch.utils.data.Subset. */
public final class Subset implements Dataset {
    private final Dataset dataset;
    private final int[] indices;

    public Subset(Dataset dataset, int[] indices) {
        for (int i : indices) {
            Sampling.checkIndex("Subset", i, dataset.size());
        }
        this.dataset = dataset;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Tensor[] get(int index) {
        Sampling.checkIndex("Subset", index, size());
        return dataset.get(indices[index]);
    }

    @Override
    public Tensor[] getBatch(int[] batch) {
        int[] mapped = new int[batch.length];
        for (int i = 0; i < batch.length; i++) {
            Sampling.checkIndex("Subset", batch[i], size());
            mapped[i] = indices[batch[i]];
        }
        return dataset.getBatch(mapped);
    }

    /**
     * Splits dataset into non-overlapping subsets of the given lengths (summing to its size) in an order
     * drawn from g, as torch.utils.data.random_split.
     */
    public static Subset[] randomSplit(Dataset dataset, int[] lengths, Generator g) {
        long total = 0;
        for (int n : lengths) {
            if (n < 0) {
                throw new IllegalArgumentException("random_split: lengths must be non-negative, got " + n);
            }
            total += n;
        }
        if (total != dataset.size()) {
            throw new IllegalArgumentException("random_split: sum of input lengths (" + total
                    + ") does not equal the length of the input dataset (" + dataset.size() + ")");
        }
        int[] order = Sampling.permutation(dataset.size(), g);
        Subset[] parts = new Subset[lengths.length];
        int from = 0;
        for (int i = 0; i < lengths.length; i++) {
            parts[i] = new Subset(dataset, java.util.Arrays.copyOfRange(order, from, from + lengths[i]));
            from += lengths[i];
        }
        return parts;
    }

    /**
     * Fractions (summing to 1) turned into lengths as PyTorch does: floor of each, then the remainder
     * handed out one by one round-robin from the first.
     */
    public static Subset[] randomSplit(Dataset dataset, double[] fractions, Generator g) {
        double sum = 0;
        for (double f : fractions) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("random_split: fraction " + f + " is not between 0 and 1");
            }
            sum += f;
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("random_split: fractions sum to " + sum + ", not 1");
        }
        int n = dataset.size();
        int[] lengths = new int[fractions.length];
        int left = n;
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = (int) Math.floor(n * fractions[i]);
            left -= lengths[i];
        }
        for (int i = 0; left > 0; i = (i + 1) % lengths.length, left--) {
            lengths[i]++;
        }
        return randomSplit(dataset, lengths, g);
    }
}
