package dev.kiln;

import dev.kiln.graph.Op;

/** Multiply-adds of an op from its inputs' and outputs' shapes, as the kernels compute it, for {@link FlopCounter}. */
final class OpCosts {
    private OpCosts() {
    }

    static long macs(Op op, Tensor[] in, Tensor[] out) {
        if (op instanceof Op.Matmul) { // a (..., M, K) @ b (..., K, N) -> (..., M, N)
            return (long) out[0].numel() * in[0].size(-1);
        }
        if (op instanceof Op.SparseMm) { // values (nnz), x (K, N): one multiply-add per entry and column
            return (long) in[0].numel() * in[1].size(1);
        }
        if (op instanceof Op.SampledMm) { // a (M, K) -> (nnz): one K-long dot per entry
            return (long) out[0].numel() * in[0].size(1);
        }
        if (op instanceof Op.Conv2d) { // y (N, Cout, OH, OW), w (Cout, Cin / groups, KH, KW)
            return (long) out[0].numel() * perOutputChannel(in[1]);
        }
        if (op instanceof Op.Conv2dBackwardInput) { // gy (N, Cout, OH, OW), w: the forward's multiply-adds again
            return (long) in[0].numel() * perOutputChannel(in[1]);
        }
        if (op instanceof Op.Conv2dBackwardWeight) { // gy (N, Cout, OH, OW), gw (Cout, Cin / groups, KH, KW)
            return (long) in[0].numel() * perOutputChannel(out[0]);
        }
        if (op instanceof Op.Attention) { // q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev): q k^T, then p v
            return attention(in[0], in[1], in[2], 1, 1);
        }
        if (op instanceof Op.AttentionBackward) { // gOut, q, k, v: scores recomputed, then dV, dP, dQ, dK
            return attention(in[1], in[2], in[3], 3, 2);
        }
        return 0;
    }

    private static long perOutputChannel(Tensor w) {
        return w.size(0) == 0 ? 0 : (long) w.numel() / w.size(0);
    }

    /** B * Lq * Lk * (qkProducts * E + pvProducts * Ev). */
    private static long attention(Tensor q, Tensor k, Tensor v, int qkProducts, int pvProducts) {
        return (long) q.size(0) * q.size(1) * k.size(1) * ((long) qkProducts * q.size(2) + (long) pvProducts * v.size(2));
    }

    static long newOutputBytes(Tensor[] in, Tensor[] out) {
        long bytes = 0;
        for (Tensor o : out) {
            if (o != null && !sharesStorage(o, in)) {
                bytes += (long) o.numel() * o.dtype().byteSize();
            }
        }
        return bytes;
    }

    private static boolean sharesStorage(Tensor o, Tensor[] in) {
        for (Tensor t : in) {
            if (t != null && t.storage() == o.storage()) {
                return true;
            }
        }
        return false;
    }
}
