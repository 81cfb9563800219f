package dev.kiln.optim;

/**
 * Linear warm-up (or decay), as {@code torch.optim.lr_scheduler.LinearLR}: the factor on the base
 * rate moves linearly from {@code startFactor} to {@code endFactor} over {@code totalIters} epochs, then stays.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1 && endFactor >= 0 && endFactor <= 1) || totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: need 0 < start_factor <= 1, 0 <= end_factor <= 1, total_iters >= 1; got "
                    + startFactor + ", " + endFactor + ", " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        start();
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(epoch, totalIters) / totalIters);
    }
}
