package dev.kiln.optim;

/**
 * Base of the learning-rate schedules, as {@code torch.optim.lr_scheduler}: construction sets the
 * optimizer's rate for epoch 0 (each subclass calls {@link #start} last in its constructor, once its
 * fields are set), and each {@link #step} (after {@code optimizer.step()}) moves to the next epoch
 * and sets {@link #lrAt} of it from the base rate the optimizer had at construction.
 */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private int epoch;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    protected final void start() {
        optimizer.setLr(lrAt(0));
    }

    /** The learning rate at {@code epoch} for a base rate {@code baseLr}. */
    protected abstract double lrAt(int epoch, double baseLr);

    private double lrAt(int epoch) {
        return lrAt(epoch, baseLr);
    }

    public void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    public int epoch() {
        return epoch;
    }

    public double lastLr() {
        return optimizer.lr();
    }
}
