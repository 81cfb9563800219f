package dev.kiln.spi;

/** Elementwise binary primitives with broadcasting. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    /**
     * ReLU's gradient: a where b > 0 (or b is NaN), else 0, with a the gradient of relu's output b;
     * PyTorch's threshold_backward(a, b, 0). One pass instead of compare, cast and multiply, and an
     * infinite a where b &lt;= 0 gives 0, not NaN.
     */
    RELU_BACKWARD,
    /**
     * GELU's gradient: a * GELU'(b), with a the gradient of GELU's output and b its input; PyTorch's
     * gelu_backward(a, b) (approximate 'none', and 'tanh' for GELU_TANH_BACKWARD). One pass instead of the
     * ten ops (two of them transcendental) its formula takes as tensor ops.
     */
    GELU_BACKWARD, GELU_TANH_BACKWARD,
    /**
     * SiLU's gradient: a * SiLU'(b) = a s (1 + b (1 - s)), s = sigmoid(b), with a the gradient of SiLU's output and b
     * its input; PyTorch's silu_backward(a, b). One pass instead of the six its formula takes as tensor ops.
     */
    SILU_BACKWARD,
    /**
     * div(rounding_mode='trunc') and 'floor', on float and int64 (PyTorch's div_trunc / div_floor:
     * floor division of floats rounds the exact quotient, not a / b). int64 wraps as Java's / does;
     * the API rejects an int64 divisor of 0.
     */
    DIV_TRUNC, DIV_FLOOR,
    /** Bool only. */
    LOGICAL_AND, LOGICAL_OR;

    /** Built once: op names are asked for on every dispatch. */
    private final String opName = name().toLowerCase(java.util.Locale.ROOT);

    public String opName() {
        return opName;
    }

    public boolean logical() {
        return this == LOGICAL_AND || this == LOGICAL_OR;
    }

    /** Ops exact on int64 (true division and pow are float-only: cast first). */
    public boolean integral() {
        return this == ADD || this == SUB || this == MUL || this == MAXIMUM || this == MINIMUM || this == DIV_TRUNC
                || this == DIV_FLOOR;
    }
}
