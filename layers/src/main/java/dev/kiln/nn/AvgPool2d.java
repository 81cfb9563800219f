package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.spi.Pool2dParams;

/** Average pooling, as {@code torch.nn.AvgPool2d}: x (N, C, H, W) -> (N, C, OH, OW). */
public final class AvgPool2d extends Layer implements Window.Windowed {
    private final Pool2dParams params;

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.params = new Pool2dParams(kernel, kernel, stride, stride, padding, padding, 1, 1, ceilMode, countIncludePad);
    }

    /** Stride equal to the kernel, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0, false, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.avgPool2d(x, params);
    }

    @Override
    public Window window(int[] inputShape) {
        return new Window(params.kernelH(), params.kernelW(), params.strideH(), params.strideW(), params.padH(),
                params.padW(), 1, 1);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + params.kernelH() + ", stride=" + params.strideH() + ", padding=" + params.padH()
                + ")";
    }
}
