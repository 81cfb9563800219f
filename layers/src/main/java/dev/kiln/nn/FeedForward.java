package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * The position-wise feed-forward branch of the transformer layers, dropout2(linear2(dropout(relu(linear1(x))))).
 * Its modules are registered on the owning layer under PyTorch's names (linear1, dropout, linear2, and
 * dropout2 in the encoder or dropout3 in the decoder), so state dicts line up with PyTorch's.
 */
final class FeedForward {
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final Dropout dropout2;

    FeedForward(Module owner, int dModel, int dimFeedforward, double p, String outDropoutName, Generator g) {
        this.linear1 = owner.registerModule("linear1", new Linear(dModel, dimFeedforward, g));
        this.dropout = owner.registerModule("dropout", new Dropout(p, g));
        this.linear2 = owner.registerModule("linear2", new Linear(dimFeedforward, dModel, g));
        this.dropout2 = owner.registerModule(outDropoutName, new Dropout(p, g));
    }

    Tensor forward(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(linear1.forward(x).relu())));
    }
}
