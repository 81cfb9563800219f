package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Conv2dParams;

/**
 * 2-D convolution, as {@code torch.nn.Conv2d}: x (N, in, H, W) -> (N, out, OH, OW) with a square or
 * rectangular kernel; stride, padding, dilation (per dim), groups and bias; PyTorch's default init.
 */
public final class Conv2d extends Layer implements Window.Windowed {
    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final Conv2dParams params;
    private final Parameter weight; // (out, in/groups, kH, kW)
    private final Parameter bias; // (out) or null

    /** A kernelH x kernelW kernel with per-dim stride, padding and dilation (as kernel_size=(kH, kW) in PyTorch). */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dParams params, boolean bias, Generator g) {
        int groups = params.groups();
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups " + groups + " must divide in_channels " + inChannels
                    + " and out_channels " + outChannels);
        }
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("Conv2d: kernel size must be >= 1, got (" + kernelH + ", " + kernelW + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.params = params;
        int[] ws = {outChannels, inChannels / groups, kernelH, kernelW};
        this.weight = registerParameter("weight", Tensor.zeros(ws, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", bias ? Tensor.zeros(new int[] {outChannels}, DType.FLOAT32, Device.CPU) : null);
        Init.defaultWeight(weight, g);
        if (bias) {
            Init.defaultBias(this.bias, ws, g);
        }
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Generator g) {
        this(inChannels, outChannels, kernel, kernel, Conv2dParams.of(stride, padding, dilation, groups), bias, g);
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
        return new Window(kernelH, kernelW, params.strideH(), params.strideW(), params.padH(), params.padW(),
                params.dilationH(), params.dilationW());
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel_size=(" + kernelH + ", " + kernelW + "), stride=("
                + params.strideH() + ", " + params.strideW() + "), padding=(" + params.padH() + ", " + params.padW()
                + "), dilation=(" + params.dilationH() + ", " + params.dilationW() + "), groups=" + params.groups()
                + ", bias=" + (bias != null) + ")";
    }
}
