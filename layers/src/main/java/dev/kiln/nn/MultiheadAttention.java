package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Multi-head attention, as {@code torch.nn.MultiheadAttention} (equal query/key/value widths, no
 * attention dropout): in_proj_weight (3E, E) xavier-uniform, in_proj_bias zeros, out_proj a Linear
 * with zero bias; with add_bias_kv, bias_k and bias_v (1, 1, E) xavier-normal are appended to the
 * keys and values; add_zero_attn appends a zero key and value to every head. Inputs (L, N, E), or
 * (N, L, E) with batchFirst, or unbatched (L, E). Heads run through the fused attention primitive,
 * so attention weights are not returned. Masks follow PyTorch (see {@link AttentionMask}). A query
 * row with every key masked gives zeros (PyTorch gives NaN there).
 */
public final class MultiheadAttention extends Module {
    private final int embedDim;
    private final int numHeads;
    private final boolean batchFirst;
    private final boolean addZeroAttn;
    private final Parameter inProjWeight; // (3E, E)
    private final Parameter inProjBias; // (3E) or null
    private final Parameter biasK; // (1, 1, E) or null
    private final Parameter biasV; // (1, 1, E) or null
    private final Linear outProj;

    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean addBiasKv, boolean addZeroAttn, boolean batchFirst,
                              Generator g) {
        if (numHeads < 1 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + embedDim + " must be divisible by num_heads "
                    + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        this.addZeroAttn = addZeroAttn;
        this.inProjWeight = registerParameter("in_proj_weight", zeros(Math.multiplyExact(3, embedDim), embedDim));
        this.inProjBias = registerParameter("in_proj_bias", bias ? zeros(Math.multiplyExact(3, embedDim)) : null);
        this.biasK = registerParameter("bias_k", addBiasKv ? zeros(1, 1, embedDim) : null);
        this.biasV = registerParameter("bias_v", addBiasKv ? zeros(1, 1, embedDim) : null);
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, g));
        Init.xavierUniform(inProjWeight.data(), 1, g);
        if (bias) {
            Init.zeros(outProj.bias());
        }
        if (addBiasKv) {
            Init.xavierNormal(biasK.data(), 1, g);
            Init.xavierNormal(biasV.data(), 1, g);
        }
    }

    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean batchFirst, Generator g) {
        this(embedDim, numHeads, bias, false, false, batchFirst, g);
    }

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(shape, DType.FLOAT32, Device.CPU);
    }

    /** Self attention: query = key = value = x. */
    public Tensor forward(Tensor x, Tensor keyPaddingMask, boolean causal) {
        return forward(x, x, x, keyPaddingMask, null, causal);
    }

    /**
     * query (L, N, E), key and value (S, N, E) (batch first: (N, L, E), (N, S, E); unbatched: (L, E),
     * (S, E)) -> shaped like query; {@code causal} masks key j > query i, like a bool triu(1) attention mask.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask, boolean causal) {
        boolean batched = checkRanks(query, key, value);
        Tensor q = !batched ? query.unsqueeze(0) : batchFirst ? query : query.transpose(0, 1); // (N, L, E)
        Tensor k = !batched ? key.unsqueeze(0) : batchFirst ? key : key.transpose(0, 1); // (N, S, E)
        Tensor v = !batched ? value.unsqueeze(0) : batchFirst ? value : value.transpose(0, 1);
        check(q, k, v, query, key, value);
        int n = q.size(0);
        int l = q.size(1);
        int s = k.size(1);
        Tensor w = inProjWeight.data();
        Tensor b = inProjBias == null ? null : inProjBias.data();
        Tensor qp = Functional.linear(q, w.narrow(0, 0, embedDim), part(b, 0)); // (N, L, E)
        Tensor kp = Functional.linear(k, w.narrow(0, embedDim, embedDim), part(b, 1)); // (N, S, E)
        Tensor vp = Functional.linear(v, w.narrow(0, 2 * embedDim, embedDim), part(b, 2));
        int extra = 0;
        if (biasK != null) { // one more key and value, the same for every batch entry
            kp = Tensor.cat(new Tensor[] {kp, biasK.data().expand(n, 1, embedDim)}, 1); // (N, S + 1, E)
            vp = Tensor.cat(new Tensor[] {vp, biasV.data().expand(n, 1, embedDim)}, 1);
            extra++;
        }
        Tensor kh = heads(kp, n, s + extra); // (N, h, S', d)
        Tensor vh = heads(vp, n, s + extra);
        if (addZeroAttn) { // a zero key and value per head: softmax always has a 0 score to fall back on
            Tensor zero = Tensor.zeros(new int[] {n, numHeads, 1, embedDim / numHeads}, kh.dtype(), kh.device());
            kh = Tensor.cat(new Tensor[] {kh, zero}, 2);
            vh = Tensor.cat(new Tensor[] {vh, zero}, 2);
            extra++;
        }
        // the primitive's causal flag would also hide the appended keys, so with those it goes into the mask
        boolean foldCausal = causal && extra > 0;
        Tensor mask = AttentionMask.merge(keyPaddingMask, attnMask, foldCausal, batched, n, numHeads, l, s, extra, query);
        Tensor att = Functional.scaledDotProductAttention(heads(qp, n, l), kh, vh, mask, causal && !foldCausal, Double.NaN);
        // att (N, h, L, d)
        Tensor y = outProj.forward(att.permute(0, 2, 1, 3).reshape(n, l, embedDim)); // (N, L, E)
        return !batched ? y.squeeze(0) : batchFirst ? y : y.transpose(0, 1);
    }

    private Tensor part(Tensor b, int i) {
        return b == null ? null : b.narrow(0, i * embedDim, embedDim);
    }

    /** (N, T, E) -> (N, heads, T, E / heads). */
    private Tensor heads(Tensor x, int n, int t) {
        return x.reshape(n, t, numHeads, embedDim / numHeads).permute(0, 2, 1, 3);
    }

    /** True for batched (3-D) inputs, false for unbatched (2-D) ones, as PyTorch's _mha_shape_check. */
    private static boolean checkRanks(Tensor query, Tensor key, Tensor value) {
        if ((query.dim() != 2 && query.dim() != 3) || key.dim() != query.dim() || value.dim() != query.dim()) {
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must all be batched (3-D) or all"
                    + " unbatched (2-D), got " + Shape.str(query.shape()) + ", " + Shape.str(key.shape()) + ", "
                    + Shape.str(value.shape()));
        }
        return query.dim() == 3;
    }

    /** q (N, L, E), k and v (N, S, E) as seen batch first; the messages show the caller's shapes. */
    private void check(Tensor q, Tensor k, Tensor v, Tensor query, Tensor key, Tensor value) {
        if (q.size(2) != embedDim || k.size(2) != embedDim || v.size(2) != embedDim || k.size(0) != q.size(0)
                || v.size(0) != q.size(0) || k.size(1) != v.size(1)) {
            String layout = query.dim() == 2 ? "(L, E), (S, E), (S, E)" : batchFirst ? "(N, L, E), (N, S, E), (N, S, E)"
                    : "(L, N, E), (S, N, E), (S, N, E)";
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must be " + layout + " with E = "
                    + embedDim + ", equal batch and equal key/value lengths; got " + Shape.str(query.shape()) + ", "
                    + Shape.str(key.shape()) + ", " + Shape.str(value.shape()));
        }
    }

    @Override
    public String toString() {
        return "MultiheadAttention(embed_dim=" + embedDim + ", num_heads=" + numHeads + ", add_bias_kv=" + (biasK != null)
                + ", add_zero_attn=" + addZeroAttn + ", batch_first=" + batchFirst + ")";
    }
}
