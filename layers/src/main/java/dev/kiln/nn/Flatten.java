package dev.kiln.nn;

import dev.kiln.Tensor;

/** Flattens dims startDim..endDim into one, as {@code torch.nn.Flatten} (default: all but the batch dim). */
public final class Flatten extends Layer {
    private final int startDim;
    private final int endDim;

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    public Flatten() {
        this(1, -1);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    public String toString() {
        return "Flatten(start_dim=" + startDim + ", end_dim=" + endDim + ")";
    }
}
