package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** logSoftmax along {@code dim}, as {@code torch.nn.LogSoftmax}. */
public final class LogSoftmax extends Layer {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.logSoftmax(x, dim);
    }

    @Override
    public String toString() {
        return "LogSoftmax(dim=" + dim + ")";
    }
}
