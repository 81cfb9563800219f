package dev.kiln.cpu;

import dev.kiln.Tensor;
import dev.kiln.spi.Conv2dParams;

/** conv2d forward, backward-input and backward-weight (being written; see issue 2). */
final class CpuConv2d {
    private CpuConv2d() {
    }

    static Tensor forward(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        throw new UnsupportedOperationException("conv2d: not yet on the cpu backend");
    }

    static Tensor backwardInput(Tensor gy, Tensor w, int[] inputShape, Conv2dParams p) {
        throw new UnsupportedOperationException("conv2d_backward_input: not yet on the cpu backend");
    }

    static Tensor backwardWeight(Tensor gy, Tensor x, int[] weightShape, Conv2dParams p) {
        throw new UnsupportedOperationException("conv2d_backward_weight: not yet on the cpu backend");
    }
}
