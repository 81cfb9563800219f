package dev.kiln.cpu;

import dev.kiln.Tensor;

/** softmax / log-softmax forward and backward along any dim (being written; see issue 2). */
final class CpuSoftmax {
    private CpuSoftmax() {
    }

    static Tensor softmax(Tensor x, int dim, boolean log) {
        throw new UnsupportedOperationException("softmax: not yet on the cpu backend");
    }

    static Tensor backward(Tensor gy, Tensor y, int dim, boolean log) {
        throw new UnsupportedOperationException("softmax_backward: not yet on the cpu backend");
    }
}
