package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Base of RNN, LSTM and GRU, as PyTorch's: multi-layer, unidirectional, input (L, N, in) or
 * (N, L, in) with batchFirst; parameters weight_ih_l{k} (gates H, in), weight_hh_l{k} (gates H, H),
 * bias_ih_l{k}, bias_hh_l{k}, all U(±1/sqrt(H)). The initial state goes in and the final state
 * comes out, so truncated BPTT is carrying {@code state.detach()} into the next chunk.
 */
public abstract class Recurrent extends Module {
    /** h (layers, N, H) and, for LSTM, c (layers, N, H); c is null otherwise. */
    public record State(Tensor h, Tensor c) {
        /** The same values cut from the graph: gradients stop here (truncated BPTT). */
        public State detach() {
            return new State(h.detach(), c == null ? null : c.detach());
        }
    }

    /** output: the last layer's h at every step, shaped like the input with H features. */
    public record Output(Tensor output, State state) {
    }

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;

    protected Recurrent(int gates, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, Generator g) {
        if (numLayers < 1 || hiddenSize < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": num_layers and hidden_size must be >= 1");
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : hiddenSize;
            Init.uniform(registerParameter("weight_ih_l" + k, zeros(gates * hiddenSize, in)), -bound, bound, g);
            Init.uniform(registerParameter("weight_hh_l" + k, zeros(gates * hiddenSize, hiddenSize)), -bound, bound, g);
            if (bias) {
                Init.uniform(registerParameter("bias_ih_l" + k, zeros(gates * hiddenSize)), -bound, bound, g);
                Init.uniform(registerParameter("bias_hh_l" + k, zeros(gates * hiddenSize)), -bound, bound, g);
            }
        }
    }

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(shape, DType.FLOAT32, Device.CPU);
    }

    /** Whether the state has a cell tensor c (LSTM). */
    protected abstract boolean hasCell();

    /**
     * One step of one layer: xg = x W_ih^T + b_ih (N, gates H), h and c (N, H), the hidden weights;
     * returns {h', c'} (c' null without a cell).
     */
    protected abstract Tensor[] cell(Tensor xg, Tensor h, Tensor c, Tensor whh, Tensor bhh);

    public Output forward(Tensor x) {
        return forward(x, null);
    }

    /** {@code initial} null starts from zeros. */
    public Output forward(Tensor x, State initial) {
        String name = getClass().getSimpleName();
        if (x.dim() != 3 || x.size(2) != inputSize) {
            throw new IllegalArgumentException(name + ": expected input " + (batchFirst ? "(N, L, " : "(L, N, ") + inputSize
                    + "), got " + Shape.str(x.shape()));
        }
        Tensor seq = batchFirst ? x.transpose(0, 1) : x; // (L, N, in)
        int steps = seq.size(0);
        int n = seq.size(1);
        int[] stateShape = {numLayers, n, hiddenSize};
        Tensor h0 = initial == null ? Tensor.zeros(stateShape, x.dtype(), x.device()) : checkState(name, "h", initial.h(), stateShape);
        Tensor c0 = !hasCell() ? null : initial == null ? Tensor.zeros(stateShape, x.dtype(), x.device())
                : checkState(name, "c", initial.c(), stateShape);
        Tensor[] hn = new Tensor[numLayers];
        Tensor[] cn = new Tensor[numLayers];
        for (int k = 0; k < numLayers; k++) {
            Tensor wih = namedParameters().get("weight_ih_l" + k).data();
            Tensor whh = namedParameters().get("weight_hh_l" + k).data();
            Tensor bih = bias ? namedParameters().get("bias_ih_l" + k).data() : null;
            Tensor bhh = bias ? namedParameters().get("bias_hh_l" + k).data() : null;
            Tensor xg = seq.matmul(wih.t()); // (L, N, gates H), all steps at once
            if (bih != null) {
                xg = xg.add(bih);
            }
            Tensor h = h0.select(0, k);
            Tensor c = c0 == null ? null : c0.select(0, k);
            Tensor[] outs = new Tensor[steps];
            for (int t = 0; t < steps; t++) {
                Tensor[] hc = cell(xg.select(0, t), h, c, whh, bhh);
                h = hc[0];
                c = hc[1];
                outs[t] = h;
            }
            hn[k] = h;
            cn[k] = c;
            seq = Tensor.stack(outs, 0); // (L, N, H), the next layer's input
        }
        State last = new State(Tensor.stack(hn, 0), hasCell() ? Tensor.stack(cn, 0) : null);
        return new Output(batchFirst ? seq.transpose(0, 1) : seq, last);
    }

    private static Tensor checkState(String name, String which, Tensor s, int[] expected) {
        if (s == null || !Arrays.equals(s.shape(), expected)) {
            throw new IllegalArgumentException(name + ": initial " + which + " must be (num_layers, N, H) = " + Shape.str(expected)
                    + ", got " + (s == null ? "null" : Shape.str(s.shape())));
        }
        return s;
    }

    /** hidden part of the gates: h W_hh^T + b_hh (N, gates H). */
    protected static Tensor hiddenGates(Tensor h, Tensor whh, Tensor bhh) {
        Tensor hg = h.matmul(whh.t());
        return bhh == null ? hg : hg.add(bhh);
    }

    /** Gate {@code i} of a (N, gates H) tensor: (N, H). */
    protected final Tensor gate(Tensor g, int i) {
        return g.narrow(1, i * hiddenSize, hiddenSize);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + ", bias=" + bias
                + ", batch_first=" + batchFirst + ")";
    }
}
