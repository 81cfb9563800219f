package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * LSTM, as {@code torch.nn.LSTM} (gate order i, f, g, o): c' = σ(f) c + σ(i) tanh(g),
 * h' = σ(o) tanh(c'), and with proj_size > 0 h' is projected: h' W_hr^T (N, proj_size).
 */
public final class LSTM extends Recurrent {
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, boolean bidirectional, int projSize,
                Generator g) {
        super(4, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, projSize, g);
    }

    /** Unidirectional, no projection. */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, Generator g) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, false, 0, g);
    }

    @Override
    protected boolean addsHiddenBiasToInput() {
        return true;
    }

    @Override
    protected boolean hasCell() {
        return true;
    }

    @Override
    protected Tensor[] cell(Tensor xg, Tensor h, Tensor c, Weights w) {
        Tensor pre = xg.add(hiddenGates(h, w)); // (N, 4H): i, f, g, o before their activations
        Tensor inputForget = gates(pre, 0, 2).sigmoid(); // i and f at once: (N, 2H)
        Tensor c2 = gate(inputForget, 1).mul(c).add(gate(inputForget, 0).mul(gate(pre, 2).tanh()));
        Tensor h2 = gate(pre, 3).sigmoid().mul(c2.tanh()); // (N, H)
        return new Tensor[] {w.hr() == null ? h2 : h2.matmul(w.hr().t()), c2};
    }
}
