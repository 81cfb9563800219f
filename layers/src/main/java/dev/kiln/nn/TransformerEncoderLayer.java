package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * As {@code torch.nn.TransformerEncoderLayer}: x = norm1(x + drop1(self_attn(x))),
 * x = norm2(x + drop2(linear2(drop(act(linear1(x)))))), act "relu" or "gelu"; with normFirst the
 * norms apply to the branch inputs instead (pre-norm). Input (S, N, E), (N, S, E) batch first, or
 * unbatched (S, E). Submodule names match PyTorch's.
 */
public final class TransformerEncoderLayer extends Layer {
    private final MultiheadAttention selfAttn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final boolean normFirst;

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation, double layerNormEps,
                                   boolean batchFirst, boolean normFirst, Generator g) {
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, true, batchFirst, g));
        this.ff = new FeedForward(this, dModel, dimFeedforward, dropout, activation, "dropout2", g);
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.normFirst = normFirst;
    }

    /** ReLU, layer-norm eps 1e-5. */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, boolean batchFirst,
                                   boolean normFirst, Generator g) {
        this(dModel, nhead, dimFeedforward, dropout, "relu", 1e-5, batchFirst, normFirst, g);
    }

    /** No masks. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null, false);
    }

    public Tensor forward(Tensor x, Tensor keyPaddingMask, boolean causal) {
        return forward(x, null, keyPaddingMask, causal);
    }

    /**
     * srcMask (S, S) or (N * nhead, S, S), bool (true = masked) or float (added to the scores);
     * srcKeyPaddingMask (N, S) ((S) unbatched); {@code causal} also hides later positions. Any may be null.
     */
    public Tensor forward(Tensor x, Tensor srcMask, Tensor srcKeyPaddingMask, boolean causal) {
        if (normFirst) {
            x = x.add(selfAttention(norm1.forward(x), srcMask, srcKeyPaddingMask, causal));
            return x.add(ff.forward(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, causal)));
        return norm2.forward(x.add(ff.forward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean causal) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, mask, causal));
    }
}
