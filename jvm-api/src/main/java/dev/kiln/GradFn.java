package dev.kiln;

import java.util.List;

/** The graph node that made a tensor, as PyTorch's {@code grad_fn}: its op name and the nodes of its inputs. */
public interface GradFn {
    /** e.g. {@code "conv2d"}. */
    String name();

    /** The nodes of the inputs that need gradients (null for a leaf that accumulates into {@code .grad()}). */
    List<GradFn> nextFunctions();
}
