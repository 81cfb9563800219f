package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;

/**
 * Max pooling, as {@code torch.nn.MaxPool2d}: x (N, C, H, W) -> (N, C, OH, OW), or unbatched
 * (C, H, W) -> (C, OH, OW); kernel, stride, padding and dilation per dim. return_indices=True is
 * {@link #forwardWithIndices}.
 */
public final class MaxPool2d extends Layer implements Window.Windowed {
    private final Pool2dParams params;

    /** Per-dim geometry (kernel_size=(kH, kW), stride=(sH, sW), ...); count_include_pad is not used. */
    public MaxPool2d(Pool2dParams params) {
        if (params.divisorOverride() != 0) {
            throw new IllegalArgumentException("MaxPool2d: divisor_override applies to average pooling only, got "
                    + params.divisorOverride());
        }
        this.params = params;
    }

    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this(Pool2dParams.of(kernel, stride, padding, dilation, ceilMode));
    }

    /** Stride equal to the kernel, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0, 1, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, params);
    }

    /** {y, indices}: int64 flat h * W + w positions of each maximum in its input plane, as return_indices=True. */
    public Tensor[] forwardWithIndices(Tensor x) {
        return Functional.maxPool2dWithIndices(x, params);
    }

    @Override
    public Window window(int[] inputShape) {
        return new Window(params.kernelH(), params.kernelW(), params.strideH(), params.strideW(), params.padH(),
                params.padW(), params.dilationH(), params.dilationW());
    }

    /** PyTorch's repr: an int when both dims agree, else the (h, w) pair. */
    static String pair(int h, int w) {
        return h == w ? Integer.toString(h) : "(" + h + ", " + w + ")";
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + pair(params.kernelH(), params.kernelW()) + ", stride="
                + pair(params.strideH(), params.strideW()) + ", padding=" + pair(params.padH(), params.padW())
                + ", dilation=" + pair(params.dilationH(), params.dilationW()) + ", ceil_mode=" + params.ceilMode() + ")";
    }
}
