package dev.kiln.cli.run;

import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Upsample;

/**
 * The noise predictor of `kiln run ddpm`: a small U-Net over 28x28 images (widths 32, 64, 64 at 28, 14 and 7 pixels),
 * residual blocks of GroupNorm, SiLU and 3x3 convolutions that add a projection of the step's embedding (sinusoidal,
 * then a two-layer MLP), stride-2 convolutions down, nearest upsampling and a convolution up, skips joined by
 * concatenation. Given x_t (N, 1, 28, 28) and the steps t (N) it predicts the noise in x_t.
 */
final class DiffusionUNet extends Module {
    static final int[] WIDTHS = {32, 64, 64};
    private static final int GROUPS = 8;
    private static final int TIME_FEATURES = 32;
    private static final int TIME_WIDTH = 128;

    private final Linear time1;
    private final Linear time2;
    private final Conv2d in;
    private final Block down1;
    private final Conv2d downsample1;
    private final Block down2;
    private final Conv2d downsample2;
    private final Block middle;
    private final Upsample upsample = Upsample.scale(2, "nearest", false);
    private final Conv2d up2Conv;
    private final Block up2;
    private final Conv2d up1Conv;
    private final Block up1;
    private final GroupNorm outNorm;
    private final Conv2d out;

    DiffusionUNet(Generator g) {
        int c1 = WIDTHS[0];
        int c2 = WIDTHS[1];
        int c3 = WIDTHS[2];
        time1 = registerModule("time1", new Linear(TIME_FEATURES, TIME_WIDTH, g));
        time2 = registerModule("time2", new Linear(TIME_WIDTH, TIME_WIDTH, g));
        in = registerModule("in", new Conv2d(1, c1, 3, 1, 1, g));
        down1 = registerModule("down1", new Block(c1, c1, g));
        downsample1 = registerModule("downsample1", new Conv2d(c1, c1, 3, 2, 1, g));
        down2 = registerModule("down2", new Block(c1, c2, g));
        downsample2 = registerModule("downsample2", new Conv2d(c2, c2, 3, 2, 1, g));
        middle = registerModule("middle", new Block(c2, c3, g));
        up2Conv = registerModule("up2_conv", new Conv2d(c3, c2, 3, 1, 1, g));
        up2 = registerModule("up2", new Block(2 * c2, c2, g));
        up1Conv = registerModule("up1_conv", new Conv2d(c2, c1, 3, 1, 1, g));
        up1 = registerModule("up1", new Block(2 * c1, c1, g));
        outNorm = registerModule("out_norm", new GroupNorm(GROUPS, c1));
        out = registerModule("out", new Conv2d(c1, 1, 3, 1, 1, g));
    }

    /** x (N, 1, 28, 28), t (N) steps as x's dtype -> the predicted noise (N, 1, 28, 28). */
    Tensor forward(Tensor x, Tensor t) {
        Tensor time = time2.forward(Functional.silu(time1.forward(timeFeatures(t)))); // (N, 128)
        Tensor h = in.forward(x);                                                     // (N, 32, 28, 28)
        Tensor skip1 = down1.forward(h, time);                                        // (N, 32, 28, 28)
        Tensor skip2 = down2.forward(downsample1.forward(skip1), time);               // (N, 64, 14, 14)
        h = middle.forward(downsample2.forward(skip2), time);                         // (N, 64, 7, 7)
        h = up2Conv.forward(upsample.forward(h));                                     // (N, 64, 14, 14)
        h = up2.forward(Tensor.cat(new Tensor[] {h, skip2}, 1), time);                // (N, 64, 14, 14)
        h = up1Conv.forward(upsample.forward(h));                                     // (N, 32, 28, 28)
        h = up1.forward(Tensor.cat(new Tensor[] {h, skip1}, 1), time);                // (N, 32, 28, 28)
        return out.forward(Functional.silu(outNorm.forward(h)));
    }

    /**
     * The transformer's sinusoidal features of t (N): sin(t f_i) then cos(t f_i), f_i = 10000^(-i / (half - 1)),
     * (N, TIME_FEATURES), as DDPM's timestep embedding.
     */
    static Tensor timeFeatures(Tensor t) {
        int half = TIME_FEATURES / 2;
        double[] frequencies = new double[half];
        for (int i = 0; i < half; i++) {
            frequencies[i] = Math.exp(-Math.log(10000) * i / (half - 1));
        }
        Tensor f = Tensor.fromArray(frequencies, 1, half).to(t.dtype()).to(t.device());
        Tensor angles = t.view(t.size(0), 1).mul(f);                                  // (N, half)
        return Tensor.cat(new Tensor[] {angles.sin(), angles.cos()}, 1);
    }

    /** GroupNorm, SiLU, conv; plus the projected step embedding; GroupNorm, SiLU, conv; plus the (1x1-projected) input. */
    static final class Block extends Module {
        private final GroupNorm norm1;
        private final Conv2d conv1;
        private final Linear time;
        private final GroupNorm norm2;
        private final Conv2d conv2;
        private final Conv2d skip;                                                    // null when the widths agree
        private final int outChannels;

        Block(int inChannels, int outChannels, Generator g) {
            this.outChannels = outChannels;
            norm1 = registerModule("norm1", new GroupNorm(GROUPS, inChannels));
            conv1 = registerModule("conv1", new Conv2d(inChannels, outChannels, 3, 1, 1, g));
            time = registerModule("time", new Linear(TIME_WIDTH, outChannels, g));
            norm2 = registerModule("norm2", new GroupNorm(GROUPS, outChannels));
            conv2 = registerModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, g));
            skip = inChannels == outChannels ? null : registerModule("skip", new Conv2d(inChannels, outChannels, 1, 1, 0, g));
        }

        /** x (N, in, H, W), time (N, TIME_WIDTH) -> (N, out, H, W). */
        Tensor forward(Tensor x, Tensor t) {
            Tensor h = conv1.forward(Functional.silu(norm1.forward(x)));
            h = h.add(time.forward(Functional.silu(t)).view(t.size(0), outChannels, 1, 1));
            h = conv2.forward(Functional.silu(norm2.forward(h)));
            return h.add(skip == null ? x : skip.forward(x));
        }
    }
}
