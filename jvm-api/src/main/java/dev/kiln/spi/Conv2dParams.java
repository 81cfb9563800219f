package dev.kiln.spi;

/**
 * Geometry of a 2-D convolution (cross-correlation, as in PyTorch). Output size per spatial dim:
 * {@code (in + 2*pad - dilation*(k-1) - 1) / stride + 1}.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("conv2d: stride must be >= 1, got (" + strideH + ", " + strideW + ")");
        }
        if (padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: padding must be >= 0, got (" + padH + ", " + padW + ")");
        }
        if (dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("conv2d: dilation must be >= 1, got (" + dilationH + ", " + dilationW + ")");
        }
        if (groups < 1) {
            throw new IllegalArgumentException("conv2d: groups must be >= 1, got " + groups);
        }
    }

    public static Conv2dParams of(int stride, int padding, int dilation, int groups) {
        return new Conv2dParams(stride, stride, padding, padding, dilation, dilation, groups);
    }

    /** Output height, or 0 when the dilated kernel does not fit the padded input. */
    public int outH(int h, int kh) {
        return outSize(h, kh, strideH, padH, dilationH);
    }

    public int outW(int w, int kw) {
        return outSize(w, kw, strideW, padW, dilationW);
    }

    /** In long and floored: a negative span (kernel larger than the padded input) must not round up to size 1. */
    private static int outSize(int in, int k, int stride, int pad, int dilation) {
        long span = (long) in + 2L * pad - (long) dilation * (k - 1) - 1;
        long out = Math.floorDiv(span, stride) + 1;
        if (out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: output size " + out + " does not fit an int (input " + in
                    + ", kernel " + k + ", stride " + stride + ", padding " + pad + ", dilation " + dilation + ")");
        }
        return (int) Math.max(out, 0);
    }
}
