package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * As {@code torch.nn.TransformerDecoderLayer} with ReLU: x = norm1(x + drop1(self_attn(x))),
 * x = norm2(x + drop2(multihead_attn(x, memory))), x = norm3(x + ff(x)); normFirst for pre-norm.
 * Submodule names match PyTorch's.
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

    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, boolean batchFirst,
                                   boolean normFirst, Generator g) {
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.crossAttn = registerModule("multihead_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.ff = new FeedForward(this, dModel, dimFeedforward, dropout, "dropout3", g);
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.norm3 = registerModule("norm3", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, g));
        this.normFirst = normFirst;
    }

    /**
     * tgt (T, N, E) attends to itself ({@code causal}: each position sees only earlier ones) and to
     * memory (S, N, E); key-padding masks (N, T) and (N, S) are true at padding; either may be null.
     */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask, boolean causal) {
        Tensor x = tgt;
        if (normFirst) {
            Tensor h = norm1.forward(x);
            x = x.add(dropout1.forward(selfAttn.forward(h, tgtKeyPaddingMask, causal)));
            x = x.add(dropout2.forward(crossAttn.forward(norm2.forward(x), memory, memory, memoryKeyPaddingMask, null, false)));
            return x.add(ff.forward(norm3.forward(x)));
        }
        x = norm1.forward(x.add(dropout1.forward(selfAttn.forward(x, tgtKeyPaddingMask, causal))));
        x = norm2.forward(x.add(dropout2.forward(crossAttn.forward(x, memory, memory, memoryKeyPaddingMask, null, false))));
        return norm3.forward(x.add(ff.forward(x)));
    }
}
