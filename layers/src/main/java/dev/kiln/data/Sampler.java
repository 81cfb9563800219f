package dev.kiln.data;

/**
 * The order in which a {@link DataLoader} visits a dataset, as {@code torch.utils.data.Sampler}:
 * each epoch asks for the indices once. Give one with {@link DataLoader.Builder#sampler}.
 */
public interface Sampler {
    /** The indices of one epoch, in visiting order. */
    int[] epochIndices();

    /** How many indices an epoch has. */
    int size();
}
