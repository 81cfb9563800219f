package dev.kiln.optim;

/**
 * lr = η_min + (base - η_min)(1 + cos(π epoch / T_max)) / 2, the closed form of
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} (it keeps following the cosine after T_max).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be >= 1, got " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        start();
    }

    @Override
    protected double lrAt(int epoch, double baseLr) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
