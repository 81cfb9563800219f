package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** softmax along {@code dim}, as {@code torch.nn.Softmax}. */
public final class Softmax extends Layer {
    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.softmax(x, dim);
    }

    @Override
    public String toString() {
        return "Softmax(dim=" + dim + ")";
    }
}
