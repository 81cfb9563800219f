package dev.kiln;

import dev.kiln.graph.Op;
import java.util.Arrays;
import java.util.function.Function;

/** The convolutions behind {@link Functional}: argument checks, padding='same', transposed convolution, batching. */
final class Convolution {
    private Convolution() {
    }

    /**
     * Runs f on x (N, C, H, W), or on unbatched x (C, H, W) as a batch of one with that dim squeezed
     * from every result, as PyTorch's conv2d and pooling accept both.
     */
    static Tensor[] batched(String op, Tensor x, Function<Tensor, Tensor[]> f) {
        if (x.dim() == 4) {
            return f.apply(x);
        }
        if (x.dim() != 3) {
            throw new IllegalArgumentException(op + ": expected 3D (unbatched) or 4D (batched) input, but got input of shape "
                    + Shape.str(x.shape()));
        }
        Tensor[] r = f.apply(x.unsqueeze(0));
        for (int i = 0; i < r.length; i++) {
            r[i] = r[i].squeeze(0);
        }
        return r;
    }

    /** x (N, C, H, W) batched. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        x = Autocast.lower(x);
        w = Autocast.lower(w);
        bias = Autocast.lower(bias);
        check(x.shape(), w, p, "input", x);
        checkBias("conv2d", x, bias, w.size(0), w);
        Tensor y = Tensor.wrap(x.backend().conv2d(x.array(), w.array(), Tensor.arrayOrNull(bias), p));
        return bias == null ? AutogradLink.record(new Op.Conv2d(p), y, x, w) : AutogradLink.record(new Op.Conv2d(p), y, x, w, bias);
    }

    static Tensor same(Tensor x, Tensor w, Tensor bias, int dilationH, int dilationW, int groups) {
        Checks.rank("conv2d", "weight", w, 4, "(out_channels, in_channels/groups, kH, kW)");
        int[] pad = samePadding(w.size(2), w.size(3), dilationH, dilationW); // (left, right, top, bottom)
        Conv2dParams p = new Conv2dParams(1, 1, pad[2], pad[0], dilationH, dilationW, groups);
        if (pad[0] == pad[1] && pad[2] == pad[3]) {
            return Functional.conv2d(x, w, bias, p);
        }
        Tensor extra = batched("conv2d", x, b -> new Tensor[] {Functional.pad(b, new int[] {0, pad[1] - pad[0], 0,
            pad[3] - pad[2]}, "constant", 0)})[0];
        return Functional.conv2d(extra, w, bias, p);
    }

    static int[] samePadding(int kernelH, int kernelW, int dilationH, int dilationW) {
        long totalH = (long) dilationH * (kernelH - 1);
        long totalW = (long) dilationW * (kernelW - 1);
        if (kernelH < 1 || kernelW < 1 || dilationH < 1 || dilationW < 1 || totalH > Integer.MAX_VALUE
                || totalW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: padding 'same' needs kernel and dilation >= 1 and a padding that"
                    + " fits an int, got kernel (" + kernelH + ", " + kernelW + ") dilation (" + dilationH + ", "
                    + dilationW + ")");
        }
        int h = (int) totalH;
        int w = (int) totalW;
        return new int[] {w / 2, w - w / 2, h / 2, h - h / 2};
    }

    /**
     * x (N, Cin, H, W), w (Cin, Cout/groups, kH, kW): conv2d's input gradient of the output size the transposed
     * convolution asks for, plus the bias per output channel.
     */
    static Tensor transpose(Tensor x, Tensor w, Tensor bias, Conv2dParams p, int outputPadding) {
        x = Autocast.lower(x);   // a lower-precision op under autocast, as conv2d
        w = Autocast.lower(w);
        bias = Autocast.lower(bias);
        Checks.compatible("conv_transpose2d", "input", x, "weight", w);
        Checks.rank("conv_transpose2d", "weight", w, 4, "(in_channels, out_channels/groups, kH, kW)");
        if (outputPadding < 0 || outputPadding >= Math.max(p.strideH(), p.dilationH())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding " + outputPadding + " must be >= 0 and"
                    + " smaller than either stride " + p.strideH() + " or dilation " + p.dilationH());
        }
        if (x.size(1) != w.size(0) || w.size(0) % p.groups() != 0) {
            throw new IllegalArgumentException("conv_transpose2d: input of shape " + Shape.str(x.shape()) + " has " + x.size(1)
                    + " channels but weight " + Shape.str(w.shape()) + " expects " + w.size(0) + " (a multiple of groups "
                    + p.groups() + ")");
        }
        long oh = (long) (x.size(2) - 1) * p.strideH() - 2L * p.padH() + (long) p.dilationH() * (w.size(2) - 1) + outputPadding + 1;
        long ow = (long) (x.size(3) - 1) * p.strideW() - 2L * p.padW() + (long) p.dilationW() * (w.size(3) - 1) + outputPadding + 1;
        if (oh < 1 || ow < 1 || oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv_transpose2d: input " + Shape.str(x.shape()) + " with weight "
                    + Shape.str(w.shape()) + ", stride " + p.strideH() + ", padding " + p.padH() + " gives an output of "
                    + oh + "x" + ow);
        }
        int cout = w.size(1) * p.groups();
        checkBias("conv_transpose2d", x, bias, cout, w);
        Tensor y = Functional.conv2dBackwardInput(x, w, new int[] {x.size(0), cout, (int) oh, (int) ow}, p);
        return bias == null ? y : y.add(bias.view(1, cout, 1, 1));
    }

    private static void checkBias(String op, Tensor x, Tensor bias, int channels, Tensor w) {
        if (bias != null) {
            Checks.compatible(op, "input", x, "bias", bias);
            if (bias.dim() != 1 || bias.size(0) != channels) {
                throw new IllegalArgumentException(op + ": bias of shape " + Shape.str(bias.shape()) + " must be ("
                        + channels + ",) for weight " + Shape.str(w.shape()));
            }
        }
    }

    static void check(int[] in, Tensor w, Conv2dParams p, String name, Tensor x) {
        Checks.compatible("conv2d", name, x, "weight", w);
        Checks.floating("conv2d", name, x);
        if (in.length != 4) {
            throw new IllegalArgumentException("conv2d: input must be 4-D (N, C, H, W), got shape " + Shape.str(in));
        }
        Checks.rank("conv2d", "weight", w, 4, "(out_channels, in_channels/groups, kH, kW)");
        int[] ws = w.shape();
        if (in[1] % p.groups() != 0 || ws[0] % p.groups() != 0) {
            throw new IllegalArgumentException("conv2d: groups " + p.groups() + " must divide input channels " + in[1]
                    + " and output channels " + ws[0] + " (weight shape " + Shape.str(ws) + ")");
        }
        if (ws[1] * p.groups() != in[1]) {
            throw new IllegalArgumentException("conv2d: input has " + in[1] + " channels but weight expects "
                    + ws[1] * p.groups() + " (weight shape " + Shape.str(ws) + ", groups " + p.groups() + ")");
        }
        if (p.outH(in[2], ws[2]) < 1 || p.outW(in[3], ws[3]) < 1) {
            throw new IllegalArgumentException("conv2d: kernel " + ws[2] + "x" + ws[3] + " with dilation ("
                    + p.dilationH() + ", " + p.dilationW() + ") is larger than the padded input " + (in[2] + 2 * p.padH())
                    + "x" + (in[3] + 2 * p.padW()) + " (input shape " + Shape.str(in) + ")");
        }
    }

    static void checkOutput(Tensor gy, int[] in, int[] ws, Conv2dParams p) {
        int[] expected = {in[0], ws[0], p.outH(in[2], ws[2]), p.outW(in[3], ws[3])};
        if (!Arrays.equals(gy.shape(), expected)) {
            throw new IllegalArgumentException("conv2d backward: grad_output has shape " + Shape.str(gy.shape())
                    + " but the convolution of " + Shape.str(in) + " by " + Shape.str(ws) + " gives " + Shape.str(expected));
        }
    }
}
