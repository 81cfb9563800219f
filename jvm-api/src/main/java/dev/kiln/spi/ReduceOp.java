package dev.kiln.spi;

/** Reductions over a set of dims. MAX/MIN propagate NaN like PyTorch's amax/amin. */
public enum ReduceOp {
    SUM, MEAN, PROD, MAX, MIN;

    public String opName() {
        return this == MAX ? "amax" : this == MIN ? "amin" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
