package dev.kiln.optim;

/**
 * The one-cycle policy, as {@code torch.optim.lr_scheduler.OneCycleLR} with cosine annealing, two
 * phases and {@code cycle_momentum=False}: from max/divFactor up to max over the first
 * pctStart of the steps, then down to max/(divFactor finalDivFactor) at the last step.
 */
public final class OneCycleLR extends LRScheduler {
    private final double maxLr;
    private final int totalSteps;
    private final double pctStart;
    private final double divFactor;
    private final double finalDivFactor;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, double divFactor,
                      double finalDivFactor) {
        super(optimizer);
        if (totalSteps < 2 || !(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("OneCycleLR: need total_steps >= 2 and 0 < pct_start < 1; got " + totalSteps
                    + ", " + pctStart);
        }
        this.maxLr = maxLr;
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
        start();
    }

    /** pct_start 0.3, div_factor 25, final_div_factor 1e4, as PyTorch's defaults. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, 25, 1e4);
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        if (epoch > totalSteps) { // PyTorch allows the step after the last one (the usual loop's final step())
            throw new IllegalStateException("OneCycleLR: stepped " + epoch + " times, more than total_steps " + totalSteps);
        }
        double initial = maxLr / divFactor;
        double warmEnd = pctStart * totalSteps - 1; // the step at which the rate peaks
        if (epoch <= warmEnd) {
            return cosine(initial, maxLr, epoch / warmEnd);
        }
        return cosine(maxLr, initial / finalDivFactor, (epoch - warmEnd) / (totalSteps - 1 - warmEnd));
    }

    /** From start (pct 0) to end (pct 1) along half a cosine. */
    private static double cosine(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
}
