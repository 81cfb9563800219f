package dev.kiln.spi;

/**
 * Attention's parameters as a backend receives them (from {@code dev.kiln.AttentionParams}, resolved
 * by the tensor API): mask null, bool (true = attend) or additive of q's dtype, broadcast to
 * (B, Lq, Lk) (a stride-0 view is fine); causal hides key j from query i when j > i; scores are
 * scale * q k^T with scale a number.
 */
public record AttentionSpec(NdArray mask, boolean causal, double scale) {
}
