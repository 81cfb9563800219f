package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * LSTM, as {@code torch.nn.LSTM} (gate order i, f, g, o): c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c').
 */
public final class LSTM extends Recurrent {
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, Generator g) {
        super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, g);
    }

    @Override
    protected boolean hasCell() {
        return true;
    }

    @Override
    protected Tensor[] cell(Tensor xg, Tensor h, Tensor c, Tensor whh, Tensor bhh) {
        Tensor gates = xg.add(hiddenGates(h, whh, bhh)); // (N, 4H)
        Tensor c2 = gate(gates, 1).sigmoid().mul(c).add(gate(gates, 0).sigmoid().mul(gate(gates, 2).tanh()));
        return new Tensor[] {gate(gates, 3).sigmoid().mul(c2.tanh()), c2};
    }
}
