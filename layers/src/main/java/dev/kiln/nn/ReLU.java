package dev.kiln.nn;

import dev.kiln.Tensor;

/** max(0, x), elementwise, as {@code torch.nn.ReLU}. */
public final class ReLU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }

    @Override
    public String toString() {
        return "ReLU()";
    }
}
