package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.function.UnaryOperator;

/**
 * The position-wise feed-forward branch of the transformer layers, dropout2(linear2(dropout(act(linear1(x))))),
 * act relu or gelu (exact, erf-based, as PyTorch's string "gelu"). Its modules are registered on the
 * owning layer under PyTorch's names (linear1, dropout, linear2, and dropout2 in the encoder or
 * dropout3 in the decoder), so state dicts line up with PyTorch's.
 */
final class FeedForward {
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final Dropout dropout2;
    private final UnaryOperator<Tensor> activation;

    FeedForward(Module owner, int dModel, int dimFeedforward, double p, String activation, String outDropoutName, Generator g) {
        this.activation = activation(owner.getClass().getSimpleName(), activation);
        this.linear1 = owner.registerModule("linear1", new Linear(dModel, dimFeedforward, g));
        this.dropout = owner.registerModule("dropout", new Dropout(p, g));
        this.linear2 = owner.registerModule("linear2", new Linear(dimFeedforward, dModel, g));
        this.dropout2 = owner.registerModule(outDropoutName, new Dropout(p, g));
    }

    private static UnaryOperator<Tensor> activation(String layer, String name) {
        switch (name) {
            case "relu": return Tensor::relu;
            case "gelu": return Tensor::gelu;
            default: throw new IllegalArgumentException(layer + ": activation should be relu/gelu, not " + name);
        }
    }

    Tensor forward(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activation.apply(linear1.forward(x)))));
    }
}
