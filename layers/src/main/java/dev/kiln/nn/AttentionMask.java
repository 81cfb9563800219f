package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * PyTorch's attention masks turned into the fused attention primitive's one mask, as
 * {@code F.multi_head_attention_forward} merges them: key_padding_mask (N, S) ((S) unbatched) and
 * attn_mask (L, S) or (N * num_heads, L, S) ((num_heads, L, S) unbatched); a bool mask is true where
 * attending is NOT allowed, a float mask is added to the scores. Every constant made here lives on
 * the query's device and dtype.
 */
final class AttentionMask {
    private AttentionMask() {
    }

    /**
     * The merged mask broadcastable to (N, heads, L, S + extra) — bool true = attend, or additive
     * float — or null when neither mask is given. {@code extra} key columns (bias_k, zero attention)
     * are appended unmasked, as PyTorch pads its masks for them; {@code causal} folds a causal
     * (L, S) mask in before that padding, so the extra columns stay visible to every query.
     */
    static Tensor merge(Tensor keyPadding, Tensor attn, boolean causal, boolean batched, int n, int heads, int l, int s, int extra,
                        Tensor query) {
        Tensor pad = null;
        if (keyPadding != null) {
            int[] want = batched ? new int[] {n, s} : new int[] {s};
            check("key_padding_mask", keyPadding, query);
            if (!Arrays.equals(keyPadding.shape(), want)) {
                throw new IllegalArgumentException("MultiheadAttention: key_padding_mask must be " + (batched ? "(N, S)" : "(S)")
                        + " = " + Shape.str(want) + ", got " + Shape.str(keyPadding.shape()));
            }
            pad = padColumns(keyPadding.reshape(n, 1, 1, s), extra);
        }
        Tensor am = null;
        if (attn != null) {
            int[] want2 = {l, s};
            int[] want3 = {Math.multiplyExact(n, heads), l, s};
            check("attn_mask", attn, query);
            if (!Arrays.equals(attn.shape(), want2) && !Arrays.equals(attn.shape(), want3)) {
                throw new IllegalArgumentException("MultiheadAttention: attn_mask must be (L, S) = " + Shape.str(want2) + " or "
                        + (batched ? "(N * num_heads, L, S) = " : "(num_heads, L, S) = ") + Shape.str(want3) + ", got "
                        + Shape.str(attn.shape()));
            }
            am = attn.dim() == 2 ? attn.reshape(1, 1, l, s) : attn.reshape(n, heads, l, s);
        }
        if (causal) {
            Tensor c = causal(l, s, query.device()).reshape(1, 1, l, s);
            if (am == null) {
                am = c;
            } else {
                am = am.dtype() == DType.BOOL ? am.logicalOr(c) : Tensor.where(c, negInf(query), am.to(query.dtype()));
            }
        }
        am = am == null ? null : padColumns(am, extra);
        if (pad == null && am == null) {
            return null;
        }
        boolean allBool = (pad == null || pad.dtype() == DType.BOOL) && (am == null || am.dtype() == DType.BOOL);
        if (allBool) {
            Tensor masked = pad == null ? am : am == null ? pad : pad.logicalOr(am);
            return masked.logicalNot();
        }
        Tensor a = additive(pad, query);
        Tensor b = additive(am, query);
        return a == null ? b : b == null ? a : a.add(b);
    }

    private static void check(String name, Tensor mask, Tensor query) {
        if (mask.dtype() != DType.BOOL && !mask.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("MultiheadAttention: only bool and float " + name + " is supported, got "
                    + mask.dtype() + " " + Shape.str(mask.shape()));
        }
        if (!mask.device().equals(query.device())) {
            throw new IllegalArgumentException("MultiheadAttention: " + name + " " + Shape.str(mask.shape()) + " is on "
                    + mask.device() + " but query " + Shape.str(query.shape()) + " is on " + query.device()
                    + "; move it with .to(device)");
        }
    }

    /** m (..., S) with {@code extra} unmasked columns appended (false, or 0 for a float mask). */
    private static Tensor padColumns(Tensor m, int extra) {
        if (extra == 0) {
            return m;
        }
        int[] shape = m.shape();
        shape[shape.length - 1] = extra;
        return Tensor.cat(new Tensor[] {m, Tensor.zeros(shape, m.dtype(), m.device())}, m.dim() - 1);
    }

    /** A bool mask as 0 / -inf, a float one in the query's dtype; null stays null. */
    private static Tensor additive(Tensor m, Tensor query) {
        if (m == null || m.dtype() != DType.BOOL) {
            return m == null ? null : m.to(query.dtype());
        }
        return Tensor.where(m, negInf(query), Tensor.zeros(new int[0], query.dtype(), query.device()));
    }

    /** -inf as a 0-d tensor on the query's device, in its dtype. */
    private static Tensor negInf(Tensor query) {
        return Tensor.full(new int[0], Double.NEGATIVE_INFINITY, query.dtype(), query.device());
    }

    /** Bool (L, S) on {@code device}, true where key j comes after query i (j > i): what a causal mask hides. */
    static Tensor causal(int l, int s, Device device) {
        Tensor i = Tensor.arange(0, l, 1, DType.INT64, device).reshape(l, 1);
        Tensor j = Tensor.arange(0, s, 1, DType.INT64, device).reshape(1, s);
        return j.gt(i);
    }
}
