package dev.kiln;

import dev.kiln.graph.Op;
import dev.kiln.spi.AttentionSpec;
import java.util.Arrays;

/**
 * scaled_dot_product_attention's arguments checked and flattened for the backend: {@link #prepare}
 * validates q, k, v and the mask with messages naming the op, and resolves the default scale. q, k, v
 * as (B, Lq, E), (B, Lk, E), (B, Lk, Ev); outShape is the user's (..., Lq, Ev).
 */
record AttentionInputs(Tensor q, Tensor k, Tensor v, AttentionParams p, int[] outShape) {
    /** {out (B, Lq, Ev), logsumexp (B, Lq)}, recorded for autograd. */
    Tensor[] forward() {
        Tensor[] r = Tensor.wrap(q.backend().attention(q.array(), k.array(), v.array(), spec()));
        Op op = new Op.Attention(p.causal(), p.scale());
        return p.mask() == null ? AutogradLink.record(op, r, q, k, v) : AutogradLink.record(op, r, q, k, v, p.mask());
    }

    /** p as the backend takes it: the mask (resolved by prepare) as an array. */
    AttentionSpec spec() {
        return new AttentionSpec(Tensor.arrayOrNull(p.mask()), p.causal(), p.scale());
    }

    static AttentionInputs prepare(Tensor q, Tensor k, Tensor v, AttentionParams p) {
        Tensor mask = p.mask();
        String op = "scaled_dot_product_attention";
        Checks.floating(op, "query", q);
        Checks.compatible(op, "query", q, "key", k);
        Checks.compatible(op, "query", q, "value", v);
        if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim()) {
            throw new IllegalArgumentException(op + ": query " + Shape.str(q.shape()) + ", key " + Shape.str(k.shape())
                    + " and value " + Shape.str(v.shape()) + " must have the same rank >= 2 (..., L, E)");
        }
        int r = q.dim();
        int[] batch = Arrays.copyOf(q.shape(), r - 2);
        if (!Arrays.equals(batch, Arrays.copyOf(k.shape(), r - 2)) || !Arrays.equals(batch, Arrays.copyOf(v.shape(), r - 2))
                || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException(op + ": expected query (..., Lq, E), key (..., Lk, E), value (..., Lk, Ev)"
                    + " with equal batch dims, got " + Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", "
                    + Shape.str(v.shape()));
        }
        int b = Shape.numel(batch);
        int lq = q.size(-2);
        int lk = k.size(-2);
        Tensor m = null;
        if (mask != null) {
            Checks.sameDevice(op, "query", q, "attn_mask", mask);
            if (mask.dtype() != DType.BOOL) {
                Checks.sameDType(op, "query", q, "attn_mask", mask);
            }
            int[] full = Shape.concat(batch, new int[] {lq, lk});
            if (!Arrays.equals(Shape.broadcast(op + " (attn_mask)", full, mask.shape()), full)) {
                throw new IllegalArgumentException(op + ": attn_mask of shape " + Shape.str(mask.shape())
                        + " does not broadcast to " + Shape.str(full));
            }
            m = mask.expand(full).reshape(b, lq, lk);
        }
        double s = Double.isNaN(p.scale()) ? 1.0 / Math.sqrt(q.size(-1)) : p.scale();
        int[] outShape = Shape.concat(batch, new int[] {lq, v.size(-1)});
        return new AttentionInputs(q.reshape(b, lq, q.size(-1)), k.reshape(b, lk, k.size(-1)), v.reshape(b, lk, v.size(-1)),
                new AttentionParams(m, p.causal(), s), outShape);
    }
}
