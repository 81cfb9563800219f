package dev.kiln.cuda;

/** A grid or block size, as in CUDA. */
public record Dim3(int x, int y, int z) {
    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("dim3: every extent must be >= 1, got (" + x + ", " + y + ", " + z + ")");
        }
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    public long count() {
        return (long) x * y * z;
    }
}
