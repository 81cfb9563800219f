package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * GRU, as {@code torch.nn.GRU} (gate order r, z, n): r = σ(.), z = σ(.),
 * n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)), h' = (1 - z) n + z h.
 */
public final class GRU extends Recurrent {
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, boolean bidirectional, Generator g) {
        super(3, inputSize, hiddenSize, numLayers, bias, batchFirst, bidirectional, 0, g);
    }

    /** Unidirectional. */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, Generator g) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, false, g);
    }

    @Override
    protected boolean addsHiddenBiasToInput() {
        return false; // b_hn sits inside r (h W_hn^T + b_hn)
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected Tensor[] cell(Tensor xg, Tensor h, Tensor c, Weights w) {
        Tensor hg = hiddenGates(h, w); // (N, 3H)
        Tensor rz = gates(xg, 0, 2).add(gates(hg, 0, 2)).sigmoid(); // r and z at once: (N, 2H)
        Tensor z = gate(rz, 1);
        Tensor n = gate(xg, 2).add(gate(rz, 0).mul(gate(hg, 2))).tanh();
        return new Tensor[] {h.sub(n).mul(z).add(n), null}; // (1 - z) n + z h as PyTorch's gru_cell computes it
    }
}
