package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** x > 0 ? x : alpha * (exp(x) - 1), as {@code torch.nn.ELU} (default alpha 1). */
public final class ELU extends Layer {
    private final double alpha;

    public ELU(double alpha) {
        this.alpha = alpha;
    }

    public ELU() {
        this(1.0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.elu(x, alpha);
    }

    @Override
    public String toString() {
        return "ELU(alpha=" + alpha + ")";
    }
}
