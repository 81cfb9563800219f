package dev.kiln.cli.run;

import dev.kiln.Tensor;
import java.util.Locale;

/**
 * A DDPM noise schedule (Ho et al. 2020) over T steps, 0-based (step t adds noise beta[t]): the forward process
 * q(x_t | x_0) = N(sqrt(alphaBar[t]) x_0, (1 - alphaBar[t]) I) and the posterior
 * q(x_{t-1} | x_t, x_0) = N(posteriorMeanX0[t] x_0 + posteriorMeanXt[t] x_t, posteriorVariance[t] I), in float64 on the
 * host; {@link #at} gathers a coefficient per example on the device.
 */
final class DiffusionSchedule {
    /** Nichol and Dhariwal's offset for the cosine schedule, and its cap on beta. */
    private static final double COSINE_OFFSET = 0.008;
    private static final double MAX_BETA = 0.999;

    final String kind;
    final double[] beta;
    final double[] alphaBar;
    final double[] posteriorMeanX0;
    final double[] posteriorMeanXt;
    final double[] posteriorVariance;
    private final double[] signal;                                            // sqrt(alphaBar)
    private final double[] spread;                                            // sqrt(1 - alphaBar)

    private DiffusionSchedule(String kind, double[] beta) {
        this.kind = kind;
        this.beta = beta;
        int n = beta.length;
        alphaBar = new double[n];
        posteriorMeanX0 = new double[n];
        posteriorMeanXt = new double[n];
        posteriorVariance = new double[n];
        signal = new double[n];
        spread = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            double previous = product;                                        // alphaBar[t - 1], 1 before the first step
            product *= 1 - beta[t];
            alphaBar[t] = product;
            signal[t] = Math.sqrt(product);
            spread[t] = Math.sqrt(1 - product);
            posteriorMeanX0[t] = beta[t] * Math.sqrt(previous) / (1 - product);
            posteriorMeanXt[t] = (1 - previous) * Math.sqrt(1 - beta[t]) / (1 - product);
            posteriorVariance[t] = beta[t] * (1 - previous) / (1 - product);
        }
    }

    /** "linear" (beta from 1e-4 to 0.02 as DDPM, scaled by 1000 / T) or "cosine" (Nichol and Dhariwal). */
    static DiffusionSchedule of(String kind, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("diffusion schedule: steps must be >= 1, got " + steps);
        }
        return switch (kind) {
            case "linear" -> linear(steps);
            case "cosine" -> cosine(steps);
            default -> throw new IllegalArgumentException("diffusion schedule: '" + kind + "' is not one of linear, cosine");
        };
    }

    private static DiffusionSchedule linear(int steps) {
        double scale = 1000.0 / steps;
        double first = scale * 1e-4;
        double last = Math.min(scale * 0.02, MAX_BETA);
        double[] beta = new double[steps];
        for (int t = 0; t < steps; t++) {
            beta[t] = steps == 1 ? first : first + (last - first) * t / (steps - 1);
        }
        return new DiffusionSchedule("linear", beta);
    }

    /** alphaBar(t) = f(t) / f(0), f(t) = cos^2(((t / T) + s) / (1 + s) pi / 2); beta[t] = 1 - alphaBar(t+1) / alphaBar(t). */
    private static DiffusionSchedule cosine(int steps) {
        double[] beta = new double[steps];
        for (int t = 0; t < steps; t++) {
            beta[t] = Math.min(1 - cosineF(t + 1, steps) / cosineF(t, steps), MAX_BETA);
        }
        return new DiffusionSchedule("cosine", beta);
    }

    private static double cosineF(int t, int steps) {
        double c = Math.cos(((double) t / steps + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return c * c;
    }

    int steps() {
        return beta.length;
    }

    /** coefficients[t[i]] for each example i, as a (N, 1, 1, 1) tensor of like's dtype on its device. */
    static Tensor at(double[] coefficients, long[] t, Tensor like) {
        double[] picked = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            picked[i] = coefficients[(int) t[i]];
        }
        return Tensor.fromArray(picked, t.length, 1, 1, 1).to(like.dtype()).to(like.device());
    }

    /** A sample of q(x_t | x_0): sqrt(alphaBar[t]) x0 + sqrt(1 - alphaBar[t]) noise; x0 and noise (N, C, H, W), t (N). */
    Tensor noised(Tensor x0, long[] t, Tensor noise) {
        return x0.mul(at(signal, t, x0)).add(noise.mul(at(spread, t, x0)));
    }

    /** x_0 recovered from x_t and the noise it holds: (x_t - sqrt(1 - alphaBar[t]) noise) / sqrt(alphaBar[t]). */
    Tensor predictX0(Tensor xt, int t, Tensor noise) {
        return xt.sub(noise.mul(spread[t])).div(signal[t]);
    }

    /** The mean of q(x_{t-1} | x_t, x_0). */
    Tensor posteriorMean(Tensor x0, Tensor xt, int t) {
        return x0.mul(posteriorMeanX0[t]).add(xt.mul(posteriorMeanXt[t]));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s schedule, %d steps, beta %.3g..%.3g, alphaBar at the end %.3g", kind, steps(),
                beta[0], beta[steps() - 1], alphaBar[steps() - 1]);
    }
}
