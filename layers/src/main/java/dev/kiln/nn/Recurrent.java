package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Base of RNN, LSTM and GRU, as PyTorch's: multi-layer, optionally bidirectional, input (L, N, in),
 * (N, L, in) with batchFirst, or unbatched (L, in). Parameters per layer k and direction (suffix ""
 * or "_reverse"): weight_ih_l{k} (gates H, in), weight_hh_l{k} (gates H, H_out), bias_ih_l{k},
 * bias_hh_l{k}, and with an LSTM projection weight_hr_l{k} (H_out, H); all U(±1/sqrt(H)). A layer
 * above the first reads both directions' outputs (D H_out features). The initial state goes in and
 * the final state comes out, so truncated BPTT is carrying {@code state.detach()} into the next chunk.
 */
public abstract class Recurrent extends Module {
    /**
     * h (D num_layers, N, H_out) and, for LSTM, c (D num_layers, N, H); c is null otherwise. Unbatched
     * input has no N dim here either. Entry k D + d is layer k, direction d (1 = reverse).
     */
    public record State(Tensor h, Tensor c) {
        /** The same values cut from the graph: gradients stop here (truncated BPTT). */
        public State detach() {
            return new State(h.detach(), c == null ? null : c.detach());
        }
    }

    /** output: the last layer's h at every step, both directions concatenated: (L, N, D H_out) like the input. */
    public record Output(Tensor output, State state) {
    }

    /** One direction's weights in one layer; biases and the projection may be null. */
    protected record Weights(Tensor ih, Tensor hh, Tensor biasIh, Tensor biasHh, Tensor hr) {
    }

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean bias;
    private final boolean batchFirst;
    private final int directions;
    private final int projSize;

    protected Recurrent(int gates, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
                        boolean bidirectional, int projSize, Generator g) {
        String name = getClass().getSimpleName();
        if (numLayers < 1 || hiddenSize < 1 || inputSize < 1) {
            throw new IllegalArgumentException(name + ": input_size, hidden_size and num_layers must be >= 1, got " + inputSize
                    + ", " + hiddenSize + ", " + numLayers);
        }
        if (projSize < 0 || (projSize > 0 && projSize >= hiddenSize)) {
            throw new IllegalArgumentException(name + ": proj_size has to be a non-negative integer smaller than hidden_size "
                    + hiddenSize + ", got " + projSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.directions = bidirectional ? 2 : 1;
        this.projSize = projSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        int gated = Math.multiplyExact(gates, hiddenSize);
        for (int k = 0; k < numLayers; k++) {
            int in = k == 0 ? inputSize : Math.multiplyExact(directions, outSize());
            for (int d = 0; d < directions; d++) {
                String sfx = suffix(k, d);
                Init.uniform(registerParameter("weight_ih" + sfx, zeros(gated, in)).data(), -bound, bound, g);
                Init.uniform(registerParameter("weight_hh" + sfx, zeros(gated, outSize())).data(), -bound, bound, g);
                if (bias) {
                    Init.uniform(registerParameter("bias_ih" + sfx, zeros(gated)).data(), -bound, bound, g);
                    Init.uniform(registerParameter("bias_hh" + sfx, zeros(gated)).data(), -bound, bound, g);
                }
                if (projSize > 0) {
                    Init.uniform(registerParameter("weight_hr" + sfx, zeros(projSize, hiddenSize)).data(), -bound, bound, g);
                }
            }
        }
    }

    /** PyTorch's name suffix for layer k, direction d: "_l0", "_l0_reverse", ... */
    private static String suffix(int k, int d) {
        return "_l" + k + (d == 1 ? "_reverse" : "");
    }

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(shape, DType.FLOAT32, Device.CPU);
    }

    /** H_out: the projection size, or H without one. */
    private int outSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** Whether the state has a cell tensor c (LSTM). */
    protected abstract boolean hasCell();

    /**
     * One step of one layer in one direction: xg = x W_ih^T + b_ih (N, gates H), plus b_hh when
     * {@link #addsHiddenBiasToInput}, h (N, H_out) and c (N, H); returns {h', c'} (c' null without a cell).
     */
    protected abstract Tensor[] cell(Tensor xg, Tensor h, Tensor c, Weights w);

    /**
     * Whether the cell only ever uses h W_hh^T + b_hh added to the input's gates, so b_hh can join b_ih in xg, added
     * once for all steps (and its gradient summed once, not once per step); the cell then gets weights without b_hh.
     */
    protected abstract boolean addsHiddenBiasToInput();

    public Output forward(Tensor x) {
        return forward(x, null);
    }

    /** {@code initial} null starts from zeros. */
    public Output forward(Tensor x, State initial) {
        return forward(x, null, initial);
    }

    /**
     * A padded batch of sequences of several lengths, read as PyTorch reads
     * {@code pack_padded_sequence(x, lengths, batch_first, enforce_sorted=False)}: sequence b's steps at or past
     * lengths[b] are skipped (the reverse direction starts at its own last step), its output there is 0 (as
     * {@code pad_packed_sequence(..., total_length=L)}) and its final state is the one at its last step. The padding's
     * values never count and get no gradient. {@code lengths} null: every sequence is the input's full length;
     * {@code initial} null starts from zeros.
     */
    public Output forward(Tensor x, int[] lengths, State initial) {
        String name = getClass().getSimpleName();
        if ((x.dim() != 2 && x.dim() != 3) || x.size(-1) != inputSize) {
            throw new IllegalArgumentException(name + ": expected input " + (batchFirst ? "(N, L, " : "(L, N, ") + inputSize
                    + ") or unbatched (L, " + inputSize + "), got " + Shape.str(x.shape()));
        }
        boolean batched = x.dim() == 3;
        Tensor seq = !batched ? x.unsqueeze(1) : batchFirst ? x.transpose(0, 1) : x; // (L, N, in)
        int n = seq.size(1);
        Tensor valid = lengths == null ? null : validSteps(name, lengths, x, seq.size(0), n, batched); // (L, N, 1) bool
        int slots = Math.multiplyExact(directions, numLayers);
        int[] hShape = batched ? new int[] {slots, n, outSize()} : new int[] {slots, outSize()};
        int[] cShape = batched ? new int[] {slots, n, hiddenSize} : new int[] {slots, hiddenSize};
        Tensor h0 = initial == null ? zeros(hShape, x) : checkState(name, "h", initial.h(), hShape, x);
        Tensor c0 = !hasCell() ? null : initial == null ? zeros(cShape, x) : checkState(name, "c", initial.c(), cShape, x);
        if (!batched) { // the state gets the batch dim of 1 that the input got
            h0 = h0.unsqueeze(1);
            c0 = c0 == null ? null : c0.unsqueeze(1);
        }
        Tensor[] hn = new Tensor[slots];
        Tensor[] cn = new Tensor[slots];
        for (int k = 0; k < numLayers; k++) {
            Tensor[] outs = new Tensor[directions];
            for (int d = 0; d < directions; d++) {
                int slot = k * directions + d;
                Tensor[] last = new Tensor[2];
                outs[d] = direction(seq, valid, weights(k, d), d == 1, h0.select(0, slot), c0 == null ? null : c0.select(0, slot),
                        last);
                hn[slot] = last[0];
                cn[slot] = last[1];
            }
            seq = directions == 1 ? outs[0] : Tensor.cat(outs, 2); // (L, N, D H_out), the next layer's input
        }
        Tensor h = Tensor.stack(hn, 0);
        Tensor c = hasCell() ? Tensor.stack(cn, 0) : null;
        if (!batched) {
            return new Output(seq.squeeze(1), new State(h.squeeze(1), c == null ? null : c.squeeze(1)));
        }
        return new Output(batchFirst ? seq.transpose(0, 1) : seq, new State(h, c));
    }

    /**
     * Runs one direction over seq (L, N, in) from h (N, H_out), c (N, H); returns (L, N, H_out), last = {h_n, c_n}.
     * Where valid (L, N, 1) is false a sequence keeps its state and outputs 0.
     */
    private Tensor direction(Tensor seq, Tensor valid, Weights w, boolean reverse, Tensor h, Tensor c, Tensor[] last) {
        Tensor xg = seq.matmul(w.ih().t()); // (L, N, gates H), all steps at once
        Tensor bias = w.biasIh();
        if (addsHiddenBiasToInput() && w.biasHh() != null) {
            bias = bias == null ? w.biasHh() : bias.add(w.biasHh()); // (gates H)
            w = new Weights(w.ih(), w.hh(), w.biasIh(), null, w.hr());
        }
        if (bias != null) {
            xg = xg.add(bias);
        }
        Tensor[] xgs = xg.unbind(0); // L x (N, gates H): one node, so backward stacks the steps' gradients once
        int steps = xgs.length;
        Tensor[] outs = new Tensor[steps];
        Tensor zero = valid == null ? null : Tensor.zeros(new int[0], h.dtype(), h.device());
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i;
            Tensor[] hc = cell(xgs[t], h, c, w);
            if (valid == null) {
                h = hc[0];
                c = hc[1];
                outs[t] = h;
            } else {
                Tensor step = valid.select(0, t); // (N, 1)
                outs[t] = Tensor.where(step, hc[0], zero);
                h = Tensor.where(step, hc[0], h);
                c = c == null ? null : Tensor.where(step, hc[1], c);
            }
        }
        last[0] = h;
        last[1] = c;
        return Tensor.stack(outs, 0);
    }

    /** valid (L, N, 1): step t of sequence b lies before lengths[b]; each length in [1, L], one per sequence. */
    private static Tensor validSteps(String name, int[] lengths, Tensor x, int steps, int n, boolean batched) {
        if (!batched) {
            throw new IllegalArgumentException(name + ": lengths need a batched input, got unbatched " + Shape.str(x.shape()));
        }
        if (lengths.length != n) {
            throw new IllegalArgumentException(name + ": expected one length per sequence (" + n + ") for input "
                    + Shape.str(x.shape()) + ", got " + lengths.length + " lengths");
        }
        boolean[] valid = new boolean[Math.multiplyExact(steps, n)];
        for (int b = 0; b < n; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException(name + ": lengths must lie in [1, " + steps + "] for input "
                        + Shape.str(x.shape()) + ", got lengths[" + b + "] = " + lengths[b]);
            }
            for (int t = 0; t < lengths[b]; t++) {
                valid[t * n + b] = true;
            }
        }
        return Tensor.fromArray(valid, steps, n, 1).to(x.device());
    }

    private Weights weights(int k, int d) {
        String sfx = suffix(k, d);
        var p = namedParameters();
        return new Weights(p.get("weight_ih" + sfx).data(), p.get("weight_hh" + sfx).data(),
                bias ? p.get("bias_ih" + sfx).data() : null, bias ? p.get("bias_hh" + sfx).data() : null,
                projSize > 0 ? p.get("weight_hr" + sfx).data() : null);
    }

    private static Tensor zeros(int[] shape, Tensor like) {
        return Tensor.zeros(shape, like.dtype(), like.device());
    }

    private static Tensor checkState(String name, String which, Tensor s, int[] expected, Tensor x) {
        String layout = expected.length == 3 ? "(D * num_layers, N, " : "(D * num_layers, ";
        String size = which.equals("c") ? "H)" : "H_out)";
        if (s == null || !Arrays.equals(s.shape(), expected)) {
            throw new IllegalArgumentException(name + ": initial " + which + " must be " + layout + size + " = " + Shape.str(expected)
                    + " for input " + Shape.str(x.shape()) + ", got " + (s == null ? "null" : Shape.str(s.shape())));
        }
        if (!s.device().equals(x.device()) || s.dtype() != x.dtype()) {
            throw new IllegalArgumentException(name + ": initial " + which + " is " + s.dtype() + " on " + s.device() + " but input "
                    + Shape.str(x.shape()) + " is " + x.dtype() + " on " + x.device());
        }
        return s;
    }

    /** hidden part of the gates: h W_hh^T + b_hh (N, gates H). */
    protected static Tensor hiddenGates(Tensor h, Weights w) {
        Tensor hg = h.matmul(w.hh().t());
        return w.biasHh() == null ? hg : hg.add(w.biasHh());
    }

    /** Gate {@code i} of a (N, gates H) tensor: (N, H). */
    protected final Tensor gate(Tensor g, int i) {
        return gates(g, i, 1);
    }

    /** Gates {@code i} to {@code i + count - 1} of a (N, gates H) tensor, side by side: (N, count H). */
    protected final Tensor gates(Tensor g, int i, int count) {
        return g.narrow(1, i * hiddenSize, count * hiddenSize);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize + ", num_layers=" + numLayers + ", bias=" + bias
                + ", batch_first=" + batchFirst + ", bidirectional=" + (directions == 2)
                + (projSize > 0 ? ", proj_size=" + projSize : "") + ")";
    }
}
