package dev.kiln;

/**
 * Geometry of max/avg pooling over (N, C, H, W), following {@code torch.nn.functional.max_pool2d}
 * and {@code avg_pool2d}: padding at most half the kernel; with ceil_mode a last window may start in
 * the right padding but not beyond it. {@code countIncludePad} and {@code divisorOverride} (0: none;
 * else every window's sum is divided by it, as avg_pool2d's divisor_override) are used by average
 * pooling only.
 */
public record Pool2dParams(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                           int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad, int divisorOverride) {
    /** Without a divisor override. */
    public Pool2dParams(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH,
                        int dilationW, boolean ceilMode, boolean countIncludePad) {
        this(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, countIncludePad, 0);
    }

    public Pool2dParams {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("pool2d: kernel, stride and dilation must be >= 1, got kernel ("
                    + kernelH + ", " + kernelW + ") stride (" + strideH + ", " + strideW + ") dilation ("
                    + dilationH + ", " + dilationW + ")");
        }
        if (padH < 0 || padW < 0 || 2L * padH > kernelH || 2L * padW > kernelW) {
            throw new IllegalArgumentException("pool2d: padding should be at most half of the kernel size, got padding ("
                    + padH + ", " + padW + ") for kernel (" + kernelH + ", " + kernelW + ")");
        }
    }

    /** Square kernel, stride = kernel, no padding: {@code max_pool2d(x, k)}. */
    public static Pool2dParams of(int kernel) {
        return new Pool2dParams(kernel, kernel, kernel, kernel, 0, 0, 1, 1, false, true);
    }

    public static Pool2dParams of(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return new Pool2dParams(kernel, kernel, stride, stride, padding, padding, dilation, dilation, ceilMode, true);
    }

    public int outH(int h) {
        return outSize(h, kernelH, strideH, padH, dilationH);
    }

    public int outW(int w) {
        return outSize(w, kernelW, strideW, padW, dilationW);
    }

    /** Computed in long; the padded input plus one stride must fit the kernels' 32-bit indexing. */
    private int outSize(int in, int k, int s, int p, int d) {
        long padded = (long) in + 2L * p;
        if (padded + s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool2d: the padded input size " + in + " + 2 * " + p + " = " + padded
                    + " is too large (Kiln indexes it in 32 bits)");
        }
        long span = padded - (long) d * (k - 1) - 1;
        long out = (ceilMode ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        // PyTorch: with ceil_mode the last window must start inside the input or left padding.
        if (ceilMode && (out - 1) * s >= (long) in + p) {
            out--;
        }
        return (int) Math.max(out, 0); // below 1: the caller reports the empty output
    }
}
