package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.graph.Op;

/**
 * Forward-mode derivative of attention, composed from tensor ops (it materialises the (B, Lq, Lk)
 * probabilities, which forward mode needs anyway): with S = scale q k^T + mask and P = softmax(S),
 * dS = scale (dq k^T + q dk^T), dP = P (dS - rowsum(P dS)), d out = dP v + P dv.
 */
final class AttentionJvp {
    private AttentionJvp() {
    }

    static Tensor[] apply(Node n, Op.Attention a, Tensor[] t) {
        Tensor q = n.input(0);
        Tensor k = n.input(1);
        Tensor v = n.input(2);
        Tensor p = probabilities(n, a, q, k);
        Tensor ds = null;
        if (t[0] != null) {
            ds = t[0].matmul(k.mT()).mul(a.scale());
        }
        if (t[1] != null) {
            Tensor d = q.matmul(t[1].mT()).mul(a.scale());
            ds = ds == null ? d : ds.add(d);
        }
        Tensor out = null;
        if (ds != null) {
            Tensor dp = p.mul(ds.sub(p.mul(ds).sum(new int[] {-1}, true)));
            out = dp.matmul(v);
        }
        if (t[2] != null) {
            Tensor d = p.matmul(t[2]);
            out = out == null ? d : out.add(d);
        }
        return new Tensor[] {out, null};
    }

    /** softmax of the masked scores; fully masked rows are zero (as the attention primitive). */
    private static Tensor probabilities(Node n, Op.Attention a, Tensor q, Tensor k) {
        Tensor s = q.matmul(k.mT()).mul(a.scale()); // (B, Lq, Lk)
        Tensor negInf = Tensor.full(new int[0], Double.NEGATIVE_INFINITY, s.dtype(), s.device());
        if (n.inputShapes.length > 3) {
            Tensor mask = n.input(3);
            s = mask.dtype() == DType.BOOL ? Tensor.where(mask, s, negInf) : s.add(mask);
        }
        if (a.causal()) {
            int lq = s.size(-2);
            int lk = s.size(-1);
            Tensor i = Tensor.arange(0, lq, 1, DType.INT64, s.device()).unsqueeze(1);
            Tensor j = Tensor.arange(0, lk, 1, DType.INT64, s.device()).unsqueeze(0);
            s = Tensor.where(j.gt(i), negInf, s);
        }
        Tensor p = s.softmax(-1);
        return Tensor.where(p.ne(p), Tensor.zerosLike(p), p);
    }
}
