package dev.kiln.spi;

/** Reductions over a set of dims. MAX/MIN propagate NaN like PyTorch's amax/amin. */
public enum ReduceOp {
    SUM("sum"), MEAN("mean"), PROD("prod"), MAX("amax"), MIN("amin");

    private final String opName;

    ReduceOp(String opName) {
        this.opName = opName;
    }

    public String opName() {
        return opName;
    }
}
