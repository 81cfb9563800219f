package dev.kiln.data;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Samples are slices along the first dim of each tensor, as torch.utils.data.TensorDataset: sample i
 * is {t0[i], t1[i], ...}; a batch is one index_select per tensor, not a stack of slices.
 */
public final class TensorDataset implements Dataset {
    private final Tensor[] tensors;

    public TensorDataset(Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("TensorDataset: at least one tensor is needed");
        }
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i].dim() == 0 || tensors[i].size(0) != tensors[0].size(0)) {
                throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: tensor " + i + " has shape "
                        + Shape.str(tensors[i].shape()) + " but tensor 0 has shape " + Shape.str(tensors[0].shape())
                        + " (every tensor needs the same first dim)");
            }
        }
        this.tensors = tensors.clone();
    }

    @Override
    public int size() {
        return tensors[0].size(0);
    }

    @Override
    public Tensor[] get(int index) {
        Sampling.checkIndex("TensorDataset", index, size());
        Tensor[] sample = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            sample[i] = tensors[i].select(0, index);
        }
        return sample;
    }

    @Override
    public Tensor[] getBatch(int[] indices) {
        long[] rows = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            Sampling.checkIndex("TensorDataset", indices[i], size());
            rows[i] = indices[i];
        }
        Tensor[] batch = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            batch[i] = tensors[i].indexSelect(0, Tensor.fromArray(rows, rows.length).to(tensors[i].device()));
        }
        return batch;
    }
}
