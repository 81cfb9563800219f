package dev.kiln.spi;

/** Elementwise comparisons with broadcasting; the result is {@code bool}. */
public enum CompareOp {
    EQ, NE, LT, LE, GT, GE;

    /** Built once: op names are asked for on every dispatch. */
    private final String opName = name().toLowerCase(java.util.Locale.ROOT);

    public String opName() {
        return opName;
    }

    public boolean test(double a, double b) {
        switch (this) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            default: return a >= b;
        }
    }

    public boolean test(long a, long b) {
        switch (this) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            default: return a >= b;
        }
    }
}
