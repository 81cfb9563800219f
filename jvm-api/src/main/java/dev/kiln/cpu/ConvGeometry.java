package dev.kiln.cpu;

import dev.kiln.Conv2dParams;

/**
 * Sizes of one conv2d: x (n, c, h, w), weight (o, c / groups, kh, kw), y (n, o, oh, ow). A group's
 * im2col matrix is (colRows, outPlane) = (c/groups * kh * kw, oh * ow).
 */
record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow, Conv2dParams p) {
    static ConvGeometry of(int[] xShape, int[] wShape, Conv2dParams p) {
        return new ConvGeometry(xShape[0], xShape[1], xShape[2], xShape[3], wShape[0], wShape[2], wShape[3],
                p.outH(xShape[2], wShape[2]), p.outW(xShape[3], wShape[3]), p);
    }

    int groups() {
        return p.groups();
    }

    /** Input channels per group. */
    int cg() {
        return c / p.groups();
    }

    /** Output channels per group. */
    int og() {
        return o / p.groups();
    }

    int colRows() {
        return cg() * kh * kw;
    }

    int inPlane() {
        return h * w;
    }

    int outPlane() {
        return oh * ow;
    }

    /** A 1x1 kernel with stride 1 and no padding: the input plane already is the im2col matrix. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && p.strideH() == 1 && p.strideW() == 1 && p.padH() == 0 && p.padW() == 0;
    }
}
