package dev.kiln.cli.data;

import java.util.Arrays;

/** Images normalised to float (n, 1, h, w) row-major, with their class labels 0..9. */
public record LabeledImages(float[] images, long[] labels, int height, int width) {
    public int size() {
        return labels.length;
    }

    public int pixels() {
        return height * width;
    }

    /** The first n examples (all of them when n is larger or not positive). */
    public LabeledImages limit(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        return range(0, n);
    }

    /** Examples from (inclusive) to to (exclusive), copied. */
    public LabeledImages range(int from, int to) {
        return new LabeledImages(Arrays.copyOfRange(images, Math.multiplyExact(from, pixels()), Math.multiplyExact(to, pixels())),
                Arrays.copyOfRange(labels, from, to), height, width);
    }
}
