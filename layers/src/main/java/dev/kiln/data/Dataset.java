package dev.kiln.data;

import dev.kiln.Tensor;

/**
 * A map-style dataset, as torch.utils.data.Dataset: {@link #size()} samples, each a tuple of tensors
 * (e.g. {input, label}). {@link #getBatch} gathers many samples at once; the default stacks
 * {@link #get} results along a new first dim (PyTorch's default_collate), and datasets that hold
 * whole tensors override it with one gather per field.
 */
public interface Dataset {
    int size();

    /** Sample {@code index}, 0 &lt;= index &lt; size(). */
    Tensor[] get(int index);

    /** The samples at {@code indices}, each field stacked: field i has shape (indices.length, *sample shape). */
    default Tensor[] getBatch(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".getBatch: no indices to collate");
        }
        Tensor[][] samples = new Tensor[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            samples[i] = get(indices[i]);
            if (samples[i].length != samples[0].length) {
                throw new IllegalStateException(getClass().getSimpleName() + ": sample " + indices[i] + " has "
                        + samples[i].length + " fields but sample " + indices[0] + " has " + samples[0].length);
            }
        }
        Tensor[] batch = new Tensor[samples[0].length];
        for (int f = 0; f < batch.length; f++) {
            Tensor[] column = new Tensor[indices.length];
            for (int i = 0; i < indices.length; i++) {
                column[i] = samples[i][f];
            }
            batch[f] = Tensor.stack(column, 0);
        }
        return batch;
    }
}
