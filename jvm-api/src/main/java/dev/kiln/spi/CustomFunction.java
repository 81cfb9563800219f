package dev.kiln.spi;

import dev.kiln.Tensor;

/** One application of a user-defined autograd function, with what its forward saved: its derivative rule. */
public interface CustomFunction {
    /** For messages and {@code gradFn().name()}. */
    String name();

    /** Gradients of the outputs (null for an output nothing flowed into) -> gradients of the inputs (null: none). */
    Tensor[] backward(Tensor[] gradOutputs);

    /** Tangents of the inputs (null: zero) -> tangents of the outputs, for forward mode. */
    Tensor[] jvp(Tensor[] tangents);
}
