package dev.kiln.nn;

import dev.kiln.Tensor;

/** exact x * Phi(x), with the error function, elementwise, as {@code torch.nn.GELU}. */
public final class GELU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }

    @Override
    public String toString() {
        return "GELU()";
    }
}
