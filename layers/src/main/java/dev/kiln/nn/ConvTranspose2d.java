package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * A transposed 2-D convolution (the adjoint of {@link Conv2d}, "deconvolution"), as {@code torch.nn.ConvTranspose2d}:
 * x (N, in, H, W) -> (N, out, OH, OW) with OH = (H - 1) stride - 2 padding + dilation (k - 1) + outputPadding + 1;
 * weight (in, out / groups, k, k), initialised as PyTorch's (kaiming-uniform with a = sqrt(5) over fan-in
 * out / groups k k; the bias uniform in +-1 / sqrt(fan-in)).
 */
public final class ConvTranspose2d extends Layer {
    private final int stride;
    private final int padding;
    private final int outputPadding;
    private final int groups;
    private final int dilation;
    private final Parameter weight;
    private final Parameter bias; // (out) or null

    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride, int padding, int outputPadding,
                           int groups, boolean bias, int dilation, Generator g) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || groups < 1 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in_channels " + inChannels + " and out_channels "
                    + outChannels + " must be positive multiples of groups " + groups + ", kernel " + kernel + " positive");
        }
        this.stride = stride;
        this.padding = padding;
        this.outputPadding = outputPadding;
        this.groups = groups;
        this.dilation = dilation;
        int[] ws = {inChannels, outChannels / groups, kernel, kernel};
        this.weight = registerParameter("weight", Tensor.zeros(ws, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", bias ? Tensor.zeros(new int[] {outChannels}, DType.FLOAT32, Device.CPU) : null);
        Init.defaultWeight(weight.data(), g);
        if (bias) {
            Init.defaultBias(this.bias.data(), ws, g);
        }
    }

    /** With a bias, one group and dilation 1. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride, int padding, int outputPadding, Generator g) {
        this(inChannels, outChannels, kernel, stride, padding, outputPadding, 1, true, 1, g);
    }

    /** The weight tensor (in, out / groups, k, k), its {@link Parameter}'s leaf. */
    public Tensor weight() {
        return weight.data();
    }

    /** The bias tensor (out), or null. */
    public Tensor bias() {
        return bias == null ? null : bias.data();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.convTranspose2d(x, weight.data(), bias == null ? null : bias.data(), stride, padding, outputPadding,
                groups, dilation);
    }

    @Override
    public String toString() {
        int[] ws = weight.shape();
        return "ConvTranspose2d(" + ws[0] + ", " + ws[1] * groups + ", kernel_size=(" + ws[2] + ", " + ws[3] + "), stride=("
                + stride + ", " + stride + "), padding=(" + padding + ", " + padding + "), output_padding=(" + outputPadding
                + ", " + outputPadding + "), groups=" + groups + ", bias=" + (bias != null) + ", dilation=(" + dilation + ", "
                + dilation + "))";
    }
}
