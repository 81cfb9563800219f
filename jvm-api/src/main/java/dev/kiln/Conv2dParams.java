package dev.kiln;

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
        return outSize("height", h, kh, strideH, padH, dilationH);
    }

    public int outW(int w, int kw) {
        return outSize("width", w, kw, strideW, padW, dilationW);
    }

    /**
     * Output size of one spatial dim, computed in long. The padded input (and one stride beyond it)
     * must fit in an int, since kernels index it with 32-bit arithmetic; a result below 1 is returned
     * as is for the caller to report.
     */
    private static int outSize(String dim, int in, int k, int s, int p, int d) {
        long padded = (long) in + 2L * p;
        if (padded + s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: the padded input " + dim + " " + in + " + 2 * " + p + " = "
                    + padded + " is too large (Kiln indexes it in 32 bits)");
        }
        long span = padded - (long) d * (k - 1) - 1;
        return span < 0 ? 0 : (int) (span / s + 1);
    }
}
