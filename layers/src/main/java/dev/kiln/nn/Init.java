package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Parameter initialisation, as {@code torch.nn.init}: each method overwrites a tensor (a layer's weight,
 * say) in place, outside the autograd graph, with values drawn from {@code g} (same seed, same values, on
 * every device).
 */
public final class Init {
    private Init() {
    }

    public static void uniform(Tensor t, double low, double high, Generator g) {
        overwrite(t, Tensor.uniform(g, low, high, t.shape(), t.dtype(), t.device()));
    }

    public static void normal(Tensor t, double mean, double std, Generator g) {
        overwrite(t, Tensor.normal(g, mean, std, t.shape(), t.dtype(), t.device()));
    }

    public static void constant(Tensor t, double value) {
        overwrite(t, Tensor.full(new int[0], value, t.dtype(), t.device()));
    }

    public static void zeros(Tensor t) {
        constant(t, 0);
    }

    public static void ones(Tensor t) {
        constant(t, 1);
    }

    /** U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
    public static void xavierUniform(Tensor t, double gain, Generator g) {
        double a = gain * Math.sqrt(6.0 / (fanIn(t.shape()) + fanOut(t.shape())));
        uniform(t, -a, a, g);
    }

    /** N(0, std²) with std = gain * sqrt(2 / (fan_in + fan_out)). */
    public static void xavierNormal(Tensor t, double gain, Generator g) {
        normal(t, 0, gain * Math.sqrt(2.0 / (fanIn(t.shape()) + fanOut(t.shape()))), g);
    }

    /** U(-b, b) with b = gain(nonlinearity, a) * sqrt(3 / fan), fan = fan_in or fan_out by {@code fanInMode}. */
    public static void kaimingUniform(Tensor t, double a, boolean fanInMode, String nonlinearity, Generator g) {
        double bound = Math.sqrt(3.0) * kaimingStd(t.shape(), a, fanInMode, nonlinearity);
        uniform(t, -bound, bound, g);
    }

    public static void kaimingNormal(Tensor t, double a, boolean fanInMode, String nonlinearity, Generator g) {
        normal(t, 0, kaimingStd(t.shape(), a, fanInMode, nonlinearity), g);
    }

    private static double kaimingStd(int[] shape, double a, boolean fanInMode, String nonlinearity) {
        return calculateGain(nonlinearity, a) / Math.sqrt(fanInMode ? fanIn(shape) : fanOut(shape));
    }

    private static void overwrite(Tensor t, Tensor values) {
        try (var scope = GradMode.noGrad()) {
            t.copy_(values);
        }
    }

    /** The recommended gain for a nonlinearity, as {@code torch.nn.init.calculate_gain}. */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity) {
            case "linear": case "conv1d": case "conv2d": case "sigmoid": return 1;
            case "tanh": return 5.0 / 3;
            case "relu": return Math.sqrt(2);
            case "leaky_relu": return Math.sqrt(2 / (1 + param * param));
            case "selu": return 0.75;
            default: throw new IllegalArgumentException("calculate_gain: unsupported nonlinearity '" + nonlinearity + "'");
        }
    }

    /** in_features * receptive field size, for weights of shape (out, in, *kernel). */
    public static int fanIn(int[] shape) {
        return checkFan(shape) * shape[1] * receptive(shape);
    }

    public static int fanOut(int[] shape) {
        return checkFan(shape) * shape[0] * receptive(shape);
    }

    private static int checkFan(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("init: fan in and fan out need a tensor with at least 2 dims, got shape "
                    + Shape.str(shape));
        }
        return 1;
    }

    private static int receptive(int[] shape) {
        int r = 1;
        for (int i = 2; i < shape.length; i++) {
            r *= shape[i];
        }
        return r;
    }

    /** PyTorch's default for Linear/Conv weights: kaiming_uniform(a = sqrt(5)), i.e. U(±1/sqrt(fan_in)). */
    static void defaultWeight(Tensor w, Generator g) {
        kaimingUniform(w, Math.sqrt(5), true, "leaky_relu", g);
    }

    /** PyTorch's default for Linear/Conv biases: U(±1/sqrt(fan_in)) of the weight. */
    static void defaultBias(Tensor b, int[] weightShape, Generator g) {
        double bound = 1 / Math.sqrt(fanIn(weightShape));
        uniform(b, -bound, bound, g);
    }
}
