package dev.kiln;

/**
 * How attention attends, for q (..., Lq, E), k (..., Lk, E), v (..., Lk, Ev): mask null, bool
 * (true = attend) or an additive float of q's dtype, broadcastable to (..., Lq, Lk); causal hides key
 * j from query i when j > i (top-left aligned, as PyTorch); scores are scale * q k^T, scale NaN
 * meaning 1/sqrt(E). A backend receives it resolved: the mask broadcast to (B, Lq, Lk) (a stride-0
 * view is fine) and scale a number.
 */
public record AttentionParams(Tensor mask, boolean causal, double scale) {
    public static AttentionParams of(boolean causal) {
        return new AttentionParams(null, causal, Double.NaN);
    }
}
