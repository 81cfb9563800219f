package dev.kiln.cpu;

/**
 * The column panels of C of the packed GEMMs ({@link GemmF32}, {@link GemmF64}): panel p covers
 * [start[p], start[p] + width[p]) padded to width[p]: wide panels first, then middle, narrow and tiny ones for the
 * rest, so padding stays small.
 */
record GemmPanels(int[] start, int[] width) {
    /** Columns of a narrow panel, used for the columns left after the wide and middle panels. */
    static final int NARROW = 128;
    /** Columns of a tiny panel, used instead of a narrow one for the last few columns (conv2d weight gradients). */
    static final int TINY = 32;
    /**
     * Columns of a narrow panel with a tiny one's columns after it, used for the last narrow panel when
     * a few columns follow (n = 150: a 5x5 conv2d over 6 channels): a tiny panel costs about as much
     * as a narrow one (its loop is too short to amortise the kernel's call and scalar pre/post loops).
     */
    static final int NARROW_PLUS = NARROW + TINY;

    /** The panels of n columns with wide ones of the given width, middle ones half as wide. */
    static GemmPanels of(int n, int wideWidth) {
        int midWidth = wideWidth / 2;
        int rest = n;
        int wide = rest / wideWidth;
        rest -= wide * wideWidth;
        if (rest > wideWidth - NARROW) { // would need as many narrow panels as fit a wide one
            wide++;
            rest = 0;
        }
        int mid = rest / midWidth;
        rest -= mid * midWidth;
        if (rest > midWidth - NARROW) {
            mid++;
            rest = 0;
        }
        int narrow = rest / NARROW;
        rest -= narrow * NARROW;
        // a tiny panel runs at about half a narrow one's speed per column: worth it up to a quarter
        int tiny = rest > 0 && rest <= TINY ? 1 : 0;
        if (rest > TINY) {
            narrow++;
        }
        boolean plus = narrow > 0 && tiny == 1; // the last narrow panel takes the tiny one's columns
        int[] start = new int[wide + mid + narrow + (plus ? 0 : tiny)];
        int[] width = new int[start.length];
        for (int p = 0; p < start.length; p++) {
            width[p] = p < wide ? wideWidth : p < wide + mid ? midWidth : p < wide + mid + narrow - 1 ? NARROW
                    : p == wide + mid + narrow - 1 ? (plus ? NARROW_PLUS : NARROW) : TINY;
            start[p] = p == 0 ? 0 : start[p - 1] + width[p - 1];
        }
        return new GemmPanels(start, width);
    }

    /** The first panel, or a last narrow one that took a tiny one's columns. */
    int widest() {
        return Math.max(width[0], width[width.length - 1]);
    }

    int count() {
        return start.length;
    }
}
