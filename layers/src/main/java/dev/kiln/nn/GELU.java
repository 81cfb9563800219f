package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * GELU elementwise, as {@code torch.nn.GELU(approximate=...)}: "none" is the exact x * Phi(x) with the
 * error function, "tanh" the tanh approximation.
 */
public final class GELU extends Layer {
    private final String approximate;

    public GELU() {
        this("none");
    }

    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh")) {
            throw new IllegalArgumentException("GELU: approximate argument must be either none or tanh, got '"
                    + approximate + "'");
        }
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(approximate);
    }

    @Override
    public String toString() {
        return approximate.equals("none") ? "GELU()" : "GELU(approximate='" + approximate + "')";
    }
}
