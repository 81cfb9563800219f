package dev.kiln.cuda;

/**
 * kernels/conv2d.cu's struct ConvGeom, field for field in its order (ConvGeomTest compares the two):
 * x (n, c, h, w), weight (o, c / groups, kh, kw), y (n, o, oh, ow), stride, padding, dilation, groups.
 */
record ConvGeom(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow,
                int sh, int sw, int ph, int pw, int dh, int dw, int groups) {

    /** The struct's bytes, as the kernels take it by value. */
    byte[] bytes() {
        return KernelArgs.ints(n, c, h, w, o, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, groups);
    }
}
