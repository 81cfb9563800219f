package dev.kiln.nn;

import dev.kiln.Tensor;

/** tanh(x), elementwise, as {@code torch.nn.Tanh}. */
public final class Tanh extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    public String toString() {
        return "Tanh()";
    }
}
