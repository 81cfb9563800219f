package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/** Average over an (outH, outW) grid of adaptive windows, as {@code torch.nn.AdaptiveAvgPool2d}. */
public final class AdaptiveAvgPool2d extends Layer implements Window.Windowed {
    private final int outH;
    private final int outW;

    public AdaptiveAvgPool2d(int outH, int outW) {
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.adaptiveAvgPool2d(x, outH, outW);
    }

    /**
     * Exact when the input divides evenly (kernel = stride = in / out); otherwise windows differ in size,
     * and this is the widest one with the smallest step, an upper bound for the receptive field.
     */
    @Override
    public Window window(int[] inputShape) {
        int h = inputShape[2];
        int w = inputShape[3];
        return new Window(widest(h, outH), widest(w, outW), h / outH, w / outW, 0, 0, 1, 1);
    }

    /** Window i covers [floor(i * in / out), ceil((i + 1) * in / out)). */
    private static int widest(int in, int out) {
        int k = 0;
        for (int i = 0; i < out; i++) {
            k = Math.max(k, ((i + 1) * in + out - 1) / out - i * in / out);
        }
        return k;
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(output_size=(" + outH + ", " + outW + "))";
    }
}
