package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Multi-head attention, as {@code torch.nn.MultiheadAttention} (equal query/key/value widths, no
 * attention dropout): in_proj_weight (3E, E) xavier-uniform, in_proj_bias zeros, out_proj a Linear
 * with zero bias. Inputs (L, N, E), or (N, L, E) with batchFirst. Heads run through the fused
 * attention primitive, so attention weights are not returned. Masks follow PyTorch: a bool
 * key-padding mask (N, S) and a bool attention mask (L, S) are true where attending is NOT allowed;
 * a float attention mask is added to the scores. A query row with every key masked gives zeros
 * (PyTorch gives NaN there).
 */
public final class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final boolean batchFirst;
    private final Parameter inProjWeight; // (3E, E)
    private final Parameter inProjBias; // (3E) or null
    private final Linear outProj;

    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean batchFirst, Generator g) {
        if (numHeads < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " must be divisible by num_heads "
                    + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        this.inProjWeight = registerParameter("in_proj_weight", Tensor.zeros(new int[] {3 * embedDim, embedDim}, DType.FLOAT32, Device.CPU));
        this.inProjBias = registerParameter("in_proj_bias", bias ? Tensor.zeros(new int[] {3 * embedDim}, DType.FLOAT32, Device.CPU) : null);
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, g));
        Init.xavierUniform(inProjWeight, 1, g);
        if (bias) {
            Init.zeros(outProj.bias());
        }
    }

    /** Self attention: query = key = value = x. */
    public Tensor forward(Tensor x, Tensor keyPaddingMask, boolean causal) {
        return forward(x, x, x, keyPaddingMask, null, causal);
    }

    /**
     * query (L, N, E), key and value (S, N, E) (batch first: (N, L, E), (N, S, E)) -> (L, N, E);
     * {@code causal} masks key j > query i, like a bool triu(1) attention mask.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        Tensor q = batchFirst ? query : query.transpose(0, 1); // (N, L, E)
        Tensor k = batchFirst ? key : key.transpose(0, 1); // (N, S, E)
        Tensor v = batchFirst ? value : value.transpose(0, 1);
        check(q, k, v);
        int n = q.size(0);
        int l = q.size(1);
        int s = k.size(1);
        Tensor w = inProjWeight.data();
        Tensor b = inProjBias == null ? null : inProjBias.data();
        Tensor qh = heads(Functional.linear(q, w.narrow(0, 0, embedDim), part(b, 0)), n, l); // (N, h, L, d)
        Tensor kh = heads(Functional.linear(k, w.narrow(0, embedDim, embedDim), part(b, 1)), n, s); // (N, h, S, d)
        Tensor vh = heads(Functional.linear(v, w.narrow(0, 2 * embedDim, embedDim), part(b, 2)), n, s);
        Tensor mask = mask(keyPaddingMask, attnMask, n, l, s, q.dtype());
        Tensor att = Functional.scaledDotProductAttention(qh, kh, vh, mask, causal, Double.NaN); // (N, h, L, d)
        Tensor y = outProj.forward(att.permute(0, 2, 1, 3).reshape(n, l, embedDim)); // (N, L, E)
        return batchFirst ? y : y.transpose(0, 1);
    }

    private Tensor part(Tensor b, int i) {
        return b == null ? null : b.narrow(0, i * embedDim, embedDim);
    }

    /** (N, T, E) -> (N, heads, T, E / heads). */
    private Tensor heads(Tensor x, int n, int t) {
        return x.reshape(n, t, numHeads, embedDim / numHeads).permute(0, 2, 1, 3);
    }

    /** The primitive's mask, broadcastable to (N, h, L, S): bool true = attend, or additive float; null if none. */
    private static Tensor mask(Tensor keyPadding, Tensor attn, int n, int l, int s, DType dtype) {
        if (keyPadding != null && (keyPadding.dtype() != DType.BOOL || !Arrays.equals(keyPadding.shape(), new int[] {n, s}))) {
            throw new IllegalArgumentException("MultiheadAttention: key_padding_mask must be bool (N, S) = " + Shape.str(new int[] {n, s})
                    + ", got " + keyPadding.dtype() + " " + Shape.str(keyPadding.shape()));
        }
        if (attn != null && !Arrays.equals(attn.shape(), new int[] {l, s})) {
            throw new IllegalArgumentException("MultiheadAttention: attn_mask must be (L, S) = " + Shape.str(new int[] {l, s})
                    + ", got " + Shape.str(attn.shape()));
        }
        Tensor pad = keyPadding == null ? null : keyPadding.reshape(n, 1, 1, s); // true = masked
        Tensor am = attn == null ? null : attn.reshape(1, 1, l, s);
        if (am != null && am.dtype() != DType.BOOL) { // additive float mask: padding becomes -inf
            Tensor add = am.to(dtype);
            return pad == null ? add : Tensor.where(pad, Tensor.scalar(Double.NEGATIVE_INFINITY, dtype), add);
        }
        Tensor masked = pad == null ? am : am == null ? pad : pad.logicalOr(am);
        return masked == null ? null : masked.logicalNot();
    }

    private void check(Tensor q, Tensor k, Tensor v) {
        String layout = batchFirst ? "(N, L, E)" : "(L, N, E)";
        if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || q.size(2) != embedDim || k.size(2) != embedDim
                || v.size(2) != embedDim || k.size(0) != q.size(0) || v.size(0) != q.size(0) || k.size(1) != v.size(1)) {
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must be " + layout + " with E = " + embedDim
                    + ", equal batch and equal key/value lengths; got " + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", "
                    + Shape.str(v.shape()) + " (batch first)");
        }
    }

    @Override
    public String toString() {
        return "MultiheadAttention(embed_dim=" + embedDim + ", num_heads=" + numHeads + ", batch_first=" + batchFirst + ")";
    }
}
