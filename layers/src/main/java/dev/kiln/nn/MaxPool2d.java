package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.spi.Pool2dParams;

/** Max pooling, as {@code torch.nn.MaxPool2d}: x (N, C, H, W) -> (N, C, OH, OW). */
public final class MaxPool2d extends Layer implements Window.Windowed {
    private final Pool2dParams params;

    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this.params = Pool2dParams.of(kernel, stride, padding, dilation, ceilMode);
    }

    /** Stride equal to the kernel, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0, 1, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, params);
    }

    @Override
    public Window window(int[] inputShape) {
        return new Window(params.kernelH(), params.kernelW(), params.strideH(), params.strideW(), params.padH(),
                params.padW(), params.dilationH(), params.dilationW());
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + params.kernelH() + ", stride=" + params.strideH() + ", padding=" + params.padH()
                + ", dilation=" + params.dilationH() + ", ceil_mode=" + params.ceilMode() + ")";
    }
}
