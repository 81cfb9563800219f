package dev.kiln.cpu;

import dev.kiln.Tensor;
import dev.kiln.spi.Pool2dParams;

/** max/avg pool2d forward and backward (being written; see issue 2). */
final class CpuPool2d {
    private CpuPool2d() {
    }

    static Tensor[] maxForward(Tensor x, Pool2dParams p) {
        throw new UnsupportedOperationException("max_pool2d: not yet on the cpu backend");
    }

    static Tensor maxBackward(Tensor gy, Tensor indices, int[] inputShape) {
        throw new UnsupportedOperationException("max_pool2d_backward: not yet on the cpu backend");
    }

    static Tensor avgForward(Tensor x, Pool2dParams p) {
        throw new UnsupportedOperationException("avg_pool2d: not yet on the cpu backend");
    }

    static Tensor avgBackward(Tensor gy, int[] inputShape, Pool2dParams p) {
        throw new UnsupportedOperationException("avg_pool2d_backward: not yet on the cpu backend");
    }
}
