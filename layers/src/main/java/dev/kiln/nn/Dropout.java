package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * Inverted dropout, as {@code torch.nn.Dropout}: in training each element is zeroed with probability
 * p and kept ones are scaled by 1/(1-p), so the expectation is unchanged; identity in eval mode.
 */
public final class Dropout extends Layer {
    private final double p;
    private final Generator generator;

    public Dropout(double p, Generator g) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        }
        this.p = p;
        this.generator = g;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), generator);
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
