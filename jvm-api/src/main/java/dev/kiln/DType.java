package dev.kiln;

/** Element types. Names match PyTorch's ({@code torch.float32} is {@link #FLOAT32}). */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    /**
     * Brain float: float32's exponent with an 8-bit significand, 2 bytes (torch.bfloat16). Kernels compute
     * in float32 and round each result to nearest even.
     */
    BFLOAT16("bfloat16", 2),
    /** IEEE 754 half precision, 2 bytes (torch.float16); computed in float32, as bfloat16. */
    FLOAT16("float16", 2),
    INT64("int64", 8),
    /** Masks: comparisons produce it, {@code where} and attention masks consume it. */
    BOOL("bool", 1);

    private final String torchName;
    private final int byteSize;

    DType(String torchName, int byteSize) {
        this.torchName = torchName;
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this != INT64 && this != BOOL;
    }

    /** bfloat16 or float16: 16-bit floats that kernels compute in float32. */
    public boolean isHalf() {
        return this == BFLOAT16 || this == FLOAT16;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
