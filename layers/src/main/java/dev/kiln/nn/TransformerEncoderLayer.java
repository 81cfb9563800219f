package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * As {@code torch.nn.TransformerEncoderLayer} with ReLU: x = norm1(x + drop1(self_attn(x))),
 * x = norm2(x + drop2(linear2(drop(relu(linear1(x)))))); with normFirst the norms apply to the
 * branch inputs instead (pre-norm). Submodule names match PyTorch's.
 */
public final class TransformerEncoderLayer extends Layer {
    private final MultiheadAttention selfAttn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final boolean normFirst;

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, boolean batchFirst,
                                   boolean normFirst, Generator g) {
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.ff = new FeedForward(this, dModel, dimFeedforward, dropout, "dropout2", g);
        this.norm1 = registerModule("norm1", new LayerNorm(dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.normFirst = normFirst;
    }

    /** No masks. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, false);
    }

    public Tensor forward(Tensor x, Tensor keyPaddingMask, boolean causal) {
        if (normFirst) {
            Tensor h = norm1.forward(x);
            x = x.add(dropout1.forward(selfAttn.forward(h, keyPaddingMask, causal)));
            return x.add(ff.forward(norm2.forward(x)));
        }
        x = norm1.forward(x.add(dropout1.forward(selfAttn.forward(x, keyPaddingMask, causal))));
        return norm2.forward(x.add(ff.forward(x)));
    }
}
