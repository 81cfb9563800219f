package dev.kiln.spi;

import dev.kiln.Tensor;
import dev.kiln.graph.Op;

/**
 * The autograd implementation (module kiln-autograd), found with {@link java.util.ServiceLoader}.
 * The tensor API calls {@link #record} after each differentiable op whose inputs need gradients.
 */
public interface AutogradEngine {
    /** Attaches a graph node for {@code op} to the outputs; some inputs require grad. */
    void record(Op op, Tensor[] inputs, Tensor[] outputs);

    /** Accumulates d(roots)/d(leaf) . grads into every leaf's {@code grad()}. */
    void backward(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph);
}
