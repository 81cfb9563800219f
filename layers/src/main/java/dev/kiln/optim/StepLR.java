package dev.kiln.optim;

/** lr = base γ^floor(epoch / stepSize), as {@code torch.optim.lr_scheduler.StepLR}. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: step_size must be >= 1, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }
}
