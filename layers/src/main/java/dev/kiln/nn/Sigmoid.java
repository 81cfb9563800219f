package dev.kiln.nn;

import dev.kiln.Tensor;

/** 1 / (1 + exp(-x)), elementwise, as {@code torch.nn.Sigmoid}. */
public final class Sigmoid extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }

    @Override
    public String toString() {
        return "Sigmoid()";
    }
}
