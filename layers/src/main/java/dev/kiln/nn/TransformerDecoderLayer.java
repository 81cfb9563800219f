package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * As {@code torch.nn.TransformerDecoderLayer}: x = norm1(x + drop1(self_attn(x))),
 * x = norm2(x + drop2(multihead_attn(x, memory))), x = norm3(x + ff(x)), the feed-forward with
 * "relu" or "gelu"; normFirst for pre-norm. tgt (T, N, E) and memory (S, N, E), batch first
 * (N, T, E) and (N, S, E), or unbatched (T, E) and (S, E). Submodule names match PyTorch's.
 */
public final class TransformerDecoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final MultiheadAttention crossAttn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final boolean normFirst;

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst, Generator g) {
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.crossAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.ff = new FeedForward(this, dModel, dimFeedforward, dropout, activation, "dropout3", g);
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm3 = registerModule("norm3", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, g));
        this.normFirst = normFirst;
    }

    /** ReLU, layer-norm eps 1e-5. */
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, boolean batchFirst,
                                   boolean normFirst, Generator g) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, batchFirst, normFirst, g);
    }

    /**
     * tgt attends to itself ({@code causal}: each position sees only earlier ones) and to memory;
     * key-padding masks (N, T) and (N, S) are true at padding; either may be null.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask, boolean causal) {
        return forward(tgt, memory, null, null, tgtKeyPaddingMask, memoryKeyPaddingMask, causal);
    }

    /**
     * As PyTorch's forward: tgtMask (T, T) or (N * nhead, T, T), memoryMask (T, S) or (N * nhead, T, S),
     * bool (true = masked) or float (added to the scores); key-padding masks (N, T) and (N, S) ((T) and
     * (S) unbatched); {@code tgtCausal} also hides later target positions. Any mask may be null.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtCausal) {
        Tensor x = tgt;
        if (normFirst) {
            Tensor h = norm1.forward(x);
            x = x.add(dropout1.forward(selfAttn.forward(h, h, h, tgtKeyPaddingMask, tgtMask, tgtCausal)));
            x = x.add(crossAttention(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
            return x.add(ff.forward(norm3.forward(x)));
        }
        x = norm1.forward(x.add(dropout1.forward(selfAttn.forward(x, x, x, tgtKeyPaddingMask, tgtMask, tgtCausal))));
        x = norm2.forward(x.add(crossAttention(x, memory, memoryMask, memoryKeyPaddingMask)));
        return norm3.forward(x.add(ff.forward(x)));
    }

    private Tensor crossAttention(Tensor x, Tensor memory, Tensor mask, Tensor keyPaddingMask) {
        return dropout2.forward(crossAttn.forward(x, memory, memory, keyPaddingMask, mask, false));
    }
}
