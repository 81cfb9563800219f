package dev.kiln.spi;

/** Elementwise unary primitives; float dtypes unless noted. Names follow {@code torch.*}. */
public enum UnaryOp {
    /** All numeric dtypes. */
    NEG, ABS, SIGN,
    EXP, LOG, LOG1P, EXPM1, SQRT, RSQRT, RECIPROCAL, SQUARE,
    SIN, COS, ATAN, TANH, SIGMOID, RELU,
    /** Exact GELU: x * Phi(x) with the Gauss error function. */
    GELU, ERF,
    /** GELU(approximate='tanh'): x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU_TANH,
    /** SiLU (swish): x * sigmoid(x), as F.silu. */
    SILU,
    FLOOR, CEIL, ROUND,
    /** Bool only. */
    LOGICAL_NOT;

    /** Built once: op names are asked for on every dispatch. */
    private final String opName = name().toLowerCase(java.util.Locale.ROOT);

    public String opName() {
        return opName;
    }

    /** Ops defined on int64 as well as the float dtypes. */
    public boolean integral() {
        return this == NEG || this == ABS || this == SIGN || this == SQUARE;
    }
}
