package dev.kiln.cpu;

import static dev.kiln.cpu.GemmF32.MID;
import static dev.kiln.cpu.GemmF32.NARROW;
import static dev.kiln.cpu.GemmF32.NARROW_PLUS;
import static dev.kiln.cpu.GemmF32.TINY;
import static dev.kiln.cpu.GemmF32.WIDE;

/**
 * GemmF32's column panels of C: panel p covers [start[p], start[p] + width[p]) padded to width[p]:
 * wide panels first, then middle, narrow and tiny ones for the rest, so padding stays small.
 */
record GemmF32Panels(int[] start, int[] width) {
    static GemmF32Panels of(int n) {
        int rest = n;
        int wide = rest / WIDE;
        rest -= wide * WIDE;
        if (rest > WIDE - NARROW) { // would need as many narrow panels as fit a wide one
            wide++;
            rest = 0;
        }
        int mid = rest / MID;
        rest -= mid * MID;
        if (rest > MID - NARROW) {
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
            width[p] = p < wide ? WIDE : p < wide + mid ? MID : p < wide + mid + narrow - 1 ? NARROW
                    : p == wide + mid + narrow - 1 ? (plus ? NARROW_PLUS : NARROW) : TINY;
            start[p] = p == 0 ? 0 : start[p - 1] + width[p - 1];
        }
        return new GemmF32Panels(start, width);
    }

    /** The first panel, or a last narrow one that took a tiny one's columns. */
    int widest() {
        return Math.max(width[0], width[width.length - 1]);
    }

    int count() {
        return start.length;
    }
}
