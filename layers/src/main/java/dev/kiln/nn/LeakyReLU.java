package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** x >= 0 ? x : slope * x, as {@code torch.nn.LeakyReLU} (default slope 0.01). */
public final class LeakyReLU extends Layer {
    private final double negativeSlope;

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    public LeakyReLU() {
        this(0.01);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.leakyRelu(x, negativeSlope);
    }

    @Override
    public String toString() {
        return "LeakyReLU(negative_slope=" + negativeSlope + ")";
    }
}
