package dev.kiln.nn;

import dev.kiln.Functional;
import dev.kiln.Tensor;

/**
 * Resizes (N, C, H, W) maps, as {@code torch.nn.Upsample}: to a size or by a scale factor, "nearest" or "bilinear"
 * (with or without align_corners); see {@link Functional#interpolate(Tensor, int, int, String, boolean)}.
 */
public final class Upsample extends Layer {
    private final int[] size; // (H, W) or null
    private final double scaleFactor; // used when size is null
    private final String mode;
    private final boolean alignCorners;

    private Upsample(int[] size, double scaleFactor, String mode, boolean alignCorners) {
        if (!mode.equals("nearest") && !mode.equals("bilinear")) {
            throw new IllegalArgumentException("Upsample: mode '" + mode + "' is not supported (nearest, bilinear)");
        }
        this.size = size;
        this.scaleFactor = scaleFactor;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /** By scaleFactor (sizes floor(H scale), floor(W scale)). */
    public static Upsample scale(double scaleFactor, String mode, boolean alignCorners) {
        return new Upsample(null, scaleFactor, mode, alignCorners);
    }

    /** To (height, width). */
    public static Upsample size(int height, int width, String mode, boolean alignCorners) {
        return new Upsample(new int[] {height, width}, Double.NaN, mode, alignCorners);
    }

    @Override
    public Tensor forward(Tensor x) {
        return size != null ? Functional.interpolate(x, size[0], size[1], mode, alignCorners)
                : Functional.interpolate(x, scaleFactor, mode, alignCorners);
    }

    @Override
    public String toString() {
        return "Upsample(" + (size != null ? "size=(" + size[0] + ", " + size[1] + ")" : "scale_factor=" + scaleFactor)
                + ", mode='" + mode + "'" + (mode.equals("bilinear") ? ", align_corners=" + alignCorners : "") + ")";
    }
}
