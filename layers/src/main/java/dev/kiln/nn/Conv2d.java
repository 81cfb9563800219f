package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Conv2dParams;

/**
 * 2-D convolution, as {@code torch.nn.Conv2d}: x (N, in, H, W) -> (N, out, OH, OW) with a square
 * kernel; stride, padding, dilation, groups and bias; PyTorch's default init.
 */
public final class Conv2d extends Layer implements Window.Windowed {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Conv2dParams params;
    private final Parameter weight; // (out, in/groups, k, k)
    private final Parameter bias; // (out) or null

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Generator g) {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups " + groups + " must divide in_channels " + inChannels
                    + " and out_channels " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.params = Conv2dParams.of(stride, padding, dilation, groups);
        int[] ws = {outChannels, inChannels / groups, kernel, kernel};
        this.weight = registerParameter("weight", Tensor.zeros(ws, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", bias ? Tensor.zeros(new int[] {outChannels}, DType.FLOAT32, Device.CPU) : null);
        Init.defaultWeight(weight, g);
        if (bias) {
            Init.defaultBias(this.bias, ws, g);
        }
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Generator g) {
        this(inChannels, outChannels, kernel, stride, padding, 1, 1, true, g);
    }

    /** padding='same' (stride 1): the output keeps H and W; the effective kernel must be odd. */
    public static Conv2d samePadding(int inChannels, int outChannels, int kernel, int dilation, Generator g) {
        return new Conv2d(inChannels, outChannels, kernel, 1, Functional.samePadding(kernel, dilation), dilation, 1, true, g);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, weight.data(), bias == null ? null : bias.data(), params);
    }

    @Override
    public Window window(int[] inputShape) {
        return new Window(kernel, kernel, params.strideH(), params.strideW(), params.padH(), params.padW(),
                params.dilationH(), params.dilationW());
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel_size=(" + kernel + ", " + kernel + "), stride=("
                + params.strideH() + ", " + params.strideW() + "), padding=(" + params.padH() + ", " + params.padW()
                + "), dilation=(" + params.dilationH() + ", " + params.dilationW() + "), groups=" + params.groups()
                + ", bias=" + (bias != null) + ")";
    }
}
