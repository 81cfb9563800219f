package dev.kiln;

/** Element types. Names match PyTorch's ({@code torch.float32} is {@link #FLOAT32}). */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
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
        return this == FLOAT32 || this == FLOAT64;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
