package dev.kiln;


/** Pooling's argument checks, shared by the pooling functions and their backward primitives, and adaptive pooling. */
final class Pooling {
    private Pooling() {
    }

    /** See {@link Functional#adaptiveAvgPool2d}. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        if (x.dim() == 3) {
            return adaptiveAvgPool2d(x.unsqueeze(0), outH, outW).squeeze(0);
        }
        Checks.rank("adaptive_avg_pool2d", "input", x, 4, "(N, C, H, W)");
        if (outH < 0 || outW < 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: elements of output_size must be greater than or equal"
                    + " to 0 but received (" + outH + ", " + outW + ")");
        }
        int h = x.size(2);
        int w = x.size(3);
        if (x.size(1) == 0 || h == 0 || w == 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: expected input to have non-zero size for non-batch"
                    + " dimensions, but input has shape " + Shape.str(x.shape()));
        }
        if (outH == 0 || outW == 0) { // no windows: an empty view of x, so the graph stays connected
            return x.narrow(2, 0, 0).narrow(3, 0, 0).reshape(x.size(0), x.size(1), outH, outW);
        }
        if (h % outH == 0 && w % outW == 0) {
            return Functional.avgPool2d(x, new Pool2dParams(h / outH, w / outW, h / outH, w / outW, 0, 0, 1, 1, false, true));
        }
        Tensor[] rows = new Tensor[outH];
        for (int i = 0; i < outH; i++) {
            int h0 = i * h / outH;
            int h1 = ((i + 1) * h + outH - 1) / outH;
            Tensor[] cols = new Tensor[outW];
            for (int j = 0; j < outW; j++) {
                int w0 = j * w / outW;
                int w1 = ((j + 1) * w + outW - 1) / outW;
                cols[j] = x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0).mean(new int[] {2, 3}, true);
            }
            rows[i] = Tensor.cat(cols, 3);
        }
        return Tensor.cat(rows, 2);
    }

    /** PyTorch's avg_pool2d has no dilation argument; silently ignoring one would give wrong windows. */
    static void checkNoDilation(String op, Pool2dParams p) {
        if (p.dilationH() != 1 || p.dilationW() != 1) {
            throw new IllegalArgumentException(op + ": average pooling does not support dilation, got dilation ("
                    + p.dilationH() + ", " + p.dilationW() + "); use dilation 1");
        }
    }

    /** divisor_override belongs to average pooling; max pooling ignoring one would hide a mistake. */
    static void checkDivisor(String op, Pool2dParams p) {
        if (p.divisorOverride() != 0) {
            throw new IllegalArgumentException(op + ": divisor_override applies to average pooling only, got "
                    + p.divisorOverride());
        }
    }

    static void checkPool(String op, Tensor x, Pool2dParams p) {
        Checks.floating(op, "input", x);
        if (p.outH(x.size(2)) < 1 || p.outW(x.size(3)) < 1) {
            throw new IllegalArgumentException(op + ": kernel (" + p.kernelH() + ", " + p.kernelW() + ") with dilation ("
                    + p.dilationH() + ", " + p.dilationW() + ") and padding (" + p.padH() + ", " + p.padW()
                    + ") gives an empty output for input " + Shape.str(x.shape()));
        }
    }
}
