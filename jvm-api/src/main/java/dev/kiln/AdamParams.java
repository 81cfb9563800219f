package dev.kiln;

/**
 * Hyper-parameters of one {@code torch.optim.Adam} / {@code AdamW} step (see {@link dev.kiln.spi.Backend#adamStep}).
 * {@code decoupled}: AdamW's decay (p *= 1 - lr wd) instead of Adam's L2 term (g += wd p).
 * {@code step}: the 1-based count of this step, for the bias corrections.
 */
public record AdamParams(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                         long step) {
    public AdamParams {
        if (!(lr >= 0) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("adam_step: need lr, eps and weight decay >= 0, got lr " + lr + ", eps " + eps
                    + ", weight decay " + weightDecay);
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adam_step: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (step < 1) {
            throw new IllegalArgumentException("adam_step: step must be >= 1, got " + step);
        }
    }

    /** lr / (1 - beta1^step): the factor of m / denom. */
    public double stepSize() {
        return lr / (1 - Math.pow(beta1, step));
    }

    /** sqrt(1 - beta2^step): denom = sqrt(v) / this + eps. */
    public double biasCorrection2Sqrt() {
        return Math.sqrt(1 - Math.pow(beta2, step));
    }

    /** The factor p is scaled by before the step: 1 - lr wd for AdamW, 1 for Adam. */
    public double paramScale() {
        return decoupled ? 1 - lr * weightDecay : 1;
    }

    /** The L2 term's factor (g += wd p): wd for Adam, 0 for AdamW. */
    public double l2() {
        return decoupled ? 0 : weightDecay;
    }
}
