package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/** Elman RNN, as {@code torch.nn.RNN}: h' = φ(x W_ih^T + b_ih + h W_hh^T + b_hh), φ tanh or relu. */
public final class RNN extends Recurrent {
    private final boolean relu;

    public RNN(int inputSize, int hiddenSize, int numLayers, boolean relu, boolean bias, boolean batchFirst, boolean bidirectional,
               Generator g) {
        super(1, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, 0, g);
        this.relu = relu;
    }

    /** Unidirectional. */
    public RNN(int inputSize, int hiddenSize, int numLayers, boolean relu, boolean bias, boolean batchFirst, Generator g) {
        this(inputSize, hiddenSize, numLayers, relu, bias, batchFirst, false, g);
    }

    @Override
    protected boolean addsHiddenBiasToInput() {
        return true;
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected Tensor[] cell(Tensor xg, Tensor h, Tensor c, Weights w) {
        Tensor pre = xg.add(hiddenGates(h, w));
        return new Tensor[] {relu ? pre.relu() : pre.tanh(), null};
    }
}
