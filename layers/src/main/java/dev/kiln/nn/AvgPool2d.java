package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;

/**
 * Average pooling, as {@code torch.nn.AvgPool2d}: x (N, C, H, W) -> (N, C, OH, OW), or unbatched
 * (C, H, W) -> (C, OH, OW); kernel, stride and padding per dim, count_include_pad and divisor_override.
 */
public final class AvgPool2d extends Layer implements Window.Windowed {
    private final Pool2dParams params;

    /** Per-dim geometry; dilation must be 1 (PyTorch's AvgPool2d has none). */
    public AvgPool2d(Pool2dParams params) {
        if (params.dilationH() != 1 || params.dilationW() != 1) {
            throw new IllegalArgumentException("AvgPool2d: average pooling does not support dilation, got dilation ("
                    + params.dilationH() + ", " + params.dilationW() + ")");
        }
        this.params = params;
    }

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(new Pool2dParams(kernel, kernel, stride, stride, padding, padding, 1, 1, ceilMode, countIncludePad));
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
        return "AvgPool2d(kernel_size=" + MaxPool2d.pair(params.kernelH(), params.kernelW()) + ", stride="
                + MaxPool2d.pair(params.strideH(), params.strideW()) + ", padding="
                + MaxPool2d.pair(params.padH(), params.padW())
                + (params.divisorOverride() == 0 ? "" : ", divisor_override=" + params.divisorOverride()) + ")";
    }
}
