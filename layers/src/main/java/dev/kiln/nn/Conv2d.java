package dev.kiln.nn;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.List;

/**
 * 2-D convolution, as {@code torch.nn.Conv2d}: x (N, in, H, W) or unbatched (in, H, W) ->
 * (N, out, OH, OW) or (out, OH, OW) with a square or rectangular kernel; stride, padding, dilation
 * (per dim), groups, bias, padding='same' and padding_mode; PyTorch's default init.
 */
public final class Conv2d extends Layer implements Window.Windowed {
    private static final List<String> PADDING_MODES = List.of("zeros", "reflect", "replicate", "circular");

    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final Conv2dParams params; // padding (top, left); the bottom and right may be one more for 'same'
    private final boolean same;
    private final String paddingMode;
    /** F.pad's (left, right, top, bottom) applied before a convolution without padding, or null. */
    private final int[] explicitPad;
    private final Parameter weight; // (out, in/groups, kH, kW)
    private final Parameter bias; // (out) or null

    /** A kernelH x kernelW kernel with per-dim stride, padding and dilation (as kernel_size=(kH, kW) in PyTorch). */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dParams params, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelH, kernelW, params, false, "zeros", bias, g);
    }

    /**
     * As above with padding_mode "zeros", "reflect", "replicate" or "circular": the input is padded by
     * params' padding in that mode (F.pad), then convolved without padding.
     */
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dParams params, String paddingMode,
                  boolean bias, Generator g) {
        this(inChannels, outChannels, kernelH, kernelW, params, false, paddingMode, bias, g);
    }

    /**
     * padding='same' (stride 1): the output keeps H and W, for odd and even effective kernels (the
     * extra row and column of an even one go at the bottom and right, as PyTorch), in any padding_mode.
     */
    public static Conv2d same(int inChannels, int outChannels, int kernelH, int kernelW, int dilationH, int dilationW,
                              int groups, String paddingMode, boolean bias, Generator g) {
        int[] pad = Functional.samePadding(kernelH, kernelW, dilationH, dilationW);
        Conv2dParams p = new Conv2dParams(1, 1, pad[2], pad[0], dilationH, dilationW, groups);
        return new Conv2d(inChannels, outChannels, kernelH, kernelW, p, true, paddingMode, bias, g);
    }

    private Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Conv2dParams params, boolean same,
                   String paddingMode, boolean bias, Generator g) {
        if (!PADDING_MODES.contains(paddingMode)) {
            throw new IllegalArgumentException("Conv2d: padding_mode must be one of " + PADDING_MODES + ", but got"
                    + " padding_mode='" + paddingMode + "'");
        }
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
        this.same = same;
        this.paddingMode = paddingMode;
        int[] pad = same ? Functional.samePadding(kernelH, kernelW, params.dilationH(), params.dilationW())
                : new int[] {params.padW(), params.padW(), params.padH(), params.padH()};
        boolean symmetric = pad[0] == pad[1] && pad[2] == pad[3];
        this.explicitPad = paddingMode.equals("zeros") && symmetric ? null : pad;
        int[] ws = {outChannels, inChannels / groups, kernelH, kernelW};
        this.weight = registerParameter("weight", Tensor.zeros(ws, DType.FLOAT32, Device.CPU));
        this.bias = registerParameter("bias", bias ? Tensor.zeros(new int[] {outChannels}, DType.FLOAT32, Device.CPU) : null);
        Init.defaultWeight(weight.data(), g);
        if (bias) {
            Init.defaultBias(this.bias.data(), ws, g);
        }
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Generator g) {
        this(inChannels, outChannels, kernel, kernel, Conv2dParams.of(stride, padding, dilation, groups), bias, g);
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Generator g) {
        this(inChannels, outChannels, kernel, stride, padding, 1, 1, true, g);
    }

    /** padding='same' with a square kernel and dilation, zeros padding and a bias. */
    public static Conv2d samePadding(int inChannels, int outChannels, int kernel, int dilation, Generator g) {
        return same(inChannels, outChannels, kernel, kernel, dilation, dilation, 1, "zeros", true, g);
    }

    /** The weight tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.weight. */
    public Tensor weight() {
        return weight == null ? null : weight.data();
    }

    /** The bias tensor (its {@link Parameter}'s leaf, null when the layer has none), as torch's module.bias. */
    public Tensor bias() {
        return bias == null ? null : bias.data();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b = bias == null ? null : bias.data();
        if (explicitPad == null) {
            return Functional.conv2d(x, weight.data(), b, params);
        }
        String mode = paddingMode.equals("zeros") ? "constant" : paddingMode;
        Conv2dParams unpadded = new Conv2dParams(params.strideH(), params.strideW(), 0, 0, params.dilationH(),
                params.dilationW(), params.groups());
        return Functional.conv2d(Functional.pad(x, explicitPad, mode, 0), weight.data(), b, unpadded);
    }

    @Override
    public Window window(int[] inputShape) {
        return new Window(kernelH, kernelW, params.strideH(), params.strideW(), params.padH(), params.padW(),
                params.dilationH(), params.dilationW());
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel_size=(" + kernelH + ", " + kernelW + "), stride=("
                + params.strideH() + ", " + params.strideW() + "), padding="
                + (same ? "same" : "(" + params.padH() + ", " + params.padW() + ")")
                + ", dilation=(" + params.dilationH() + ", " + params.dilationW() + "), groups=" + params.groups()
                + ", bias=" + (bias != null) + (paddingMode.equals("zeros") ? "" : ", padding_mode=" + paddingMode) + ")";
    }
}
