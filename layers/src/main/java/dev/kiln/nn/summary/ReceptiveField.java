package dev.kiln.nn.summary;

import dev.kiln.nn.Window;

/**
 * The receptive field of one output unit along H and W: its size in input pixels, the jump (input
 * pixels between neighbouring output units, the product of strides) and the start (the input pixel
 * index at the centre of the first unit's field; padding can make it negative).
 */
public record ReceptiveField(int sizeH, int sizeW, int jumpH, int jumpW, double startH, double startW) {
    /** A single input pixel. */
    public static final ReceptiveField INPUT = new ReceptiveField(1, 1, 1, 1, 0, 0);

    /** The field after a window: size grows by (effective kernel - 1) jumps, the jump by the stride. */
    public ReceptiveField then(Window w) {
        int kh = w.dilationH() * (w.kernelH() - 1) + 1;
        int kw = w.dilationW() * (w.kernelW() - 1) + 1;
        return new ReceptiveField(sizeH + (kh - 1) * jumpH, sizeW + (kw - 1) * jumpW, jumpH * w.strideH(),
                jumpW * w.strideW(), startH + ((kh - 1) / 2.0 - w.padH()) * jumpH,
                startW + ((kw - 1) / 2.0 - w.padW()) * jumpW);
    }

    @Override
    public String toString() {
        return sizeH + "x" + sizeW + " jump " + jumpH + "x" + jumpW + " start (" + fmt(startH) + ", " + fmt(startW) + ")";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
