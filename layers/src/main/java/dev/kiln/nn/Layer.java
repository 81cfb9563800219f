package dev.kiln.nn;

import dev.kiln.Tensor;

/** A module with one input and one output, the kind that {@link Sequential} chains. */
public abstract class Layer extends Module {
    public abstract Tensor forward(Tensor x);
}
