package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** x * sigmoid(x), elementwise, as {@code torch.nn.SiLU} (swish). */
public final class SiLU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return Functional.silu(x);
    }

    @Override
    public String toString() {
        return "SiLU()";
    }
}
