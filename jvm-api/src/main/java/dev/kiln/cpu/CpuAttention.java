package dev.kiln.cpu;

import dev.kiln.Tensor;

/** Scaled-dot-product attention forward and backward (being written; see issue 2). */
final class CpuAttention {
    private CpuAttention() {
    }

    static Tensor[] forward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale) {
        throw new UnsupportedOperationException("attention: not yet on the cpu backend");
    }

    static Tensor[] backward(Tensor gOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, Tensor mask,
                             boolean causal, double scale) {
        throw new UnsupportedOperationException("attention_backward: not yet on the cpu backend");
    }
}
