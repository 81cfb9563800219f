package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * y = after(body(x) + shortcut(x)), a residual connection; {@code shortcut} null is the identity
 * and {@code after} null applies nothing. {@link #basic} builds ResNet's basic block.
 */
public final class ResidualBlock extends Layer {
    private final Layer body;
    private final Layer shortcut;
    private final Layer after;

    public ResidualBlock(Layer body, Layer shortcut, Layer after) {
        this.body = registerModule("body", body);
        this.shortcut = shortcut == null ? null : registerModule("shortcut", shortcut);
        this.after = after == null ? null : registerModule("after", after);
    }

    /**
     * ResNet's basic block: conv3x3(stride)-BN-ReLU-conv3x3-BN plus the input (through a 1x1 conv
     * and BN when the stride or channel count changes), then ReLU.
     */
    public static ResidualBlock basic(int inChannels, int outChannels, int stride, Generator g) {
        Sequential body = new Sequential(new Conv2d(inChannels, outChannels, 3, stride, 1, 1, 1, false, g),
                new BatchNorm2d(outChannels), new ReLU(), new Conv2d(outChannels, outChannels, 3, 1, 1, 1, 1, false, g),
                new BatchNorm2d(outChannels));
        Layer shortcut = stride == 1 && inChannels == outChannels ? null
                : new Sequential(new Conv2d(inChannels, outChannels, 1, stride, 0, 1, 1, false, g), new BatchNorm2d(outChannels));
        return new ResidualBlock(body, shortcut, new ReLU());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = body.forward(x).add(shortcut == null ? x : shortcut.forward(x));
        return after == null ? y : after.forward(y);
    }

    @Override
    public String toString() {
        return "ResidualBlock(body=" + body + ", shortcut=" + (shortcut == null ? "identity" : shortcut) + ", after="
                + (after == null ? "none" : after) + ")";
    }
}
