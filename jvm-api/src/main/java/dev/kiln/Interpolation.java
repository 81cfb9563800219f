package dev.kiln;

import java.util.Locale;

/**
 * F.interpolate over (N, C, H, W) as index selections and weighted sums along H then W, so autograd
 * differentiates it on every device: "nearest" picks floor(dst * scale); "bilinear" blends the two nearest
 * rows (columns) at src = (dst + 0.5) scale - 0.5, clamped at 0 (align_corners false), or src = dst (in - 1) /
 * (out - 1) (align_corners true). scale is in / out for a given size and 1 / scale_factor for a given factor,
 * as PyTorch computes them.
 */
final class Interpolation {
    private Interpolation() {
    }

    /** scaleH, scaleW: the source step per output pixel (see the class comment), used unless alignCorners. */
    static Tensor interpolate(Tensor x, int outH, int outW, double scaleH, double scaleW, String mode, boolean alignCorners) {
        String op = "interpolate";
        Checks.floating(op, "input", x);
        Checks.rank(op, "input", x, 4, "(N, C, H, W)");
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size must be positive, got (" + outH + ", " + outW + ")");
        }
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "nearest" -> {
                if (alignCorners) {
                    throw new IllegalArgumentException(op + ": align_corners only has an effect for the linear modes,"
                            + " not for nearest");
                }
                yield nearest(nearest(x, 2, outH, scaleH), 3, outW, scaleW);
            }
            case "bilinear" -> linear(linear(x, 2, outH, scaleH, alignCorners), 3, outW, scaleW, alignCorners);
            default -> throw new IllegalArgumentException(op + ": mode '" + mode + "' is not supported (nearest, bilinear)");
        };
    }

    /** In float, as PyTorch's nearest_idx: in double, 6 of 9 rows scaled from 6 land on 3.9999... instead of 4. */
    private static Tensor nearest(Tensor x, int dim, int out, double scale) {
        int in = x.size(dim);
        float s = (float) scale;
        long[] index = new long[out];
        for (int i = 0; i < out; i++) {
            index[i] = Math.min((long) Math.floor((float) i * s), in - 1);
        }
        return x.indexSelect(dim, Tensor.fromArray(index, out).to(x.device()));
    }

    private static Tensor linear(Tensor x, int dim, int out, double scale, boolean alignCorners) {
        int in = x.size(dim);
        long[] lo = new long[out];
        long[] hi = new long[out];
        double[] wHi = new double[out];
        double step = alignCorners ? (out > 1 ? (in - 1.0) / (out - 1) : 0) : scale;
        for (int i = 0; i < out; i++) {
            double src = alignCorners ? i * step : Math.max(0, (i + 0.5) * step - 0.5);
            lo[i] = Math.min((long) Math.floor(src), in - 1);
            hi[i] = Math.min(lo[i] + 1, in - 1);
            wHi[i] = src - lo[i];
        }
        int[] along = {1, 1, 1, 1};                                   // the weights broadcast along dim
        along[dim] = out;
        Tensor w = Tensor.fromArray(wHi, out).to(x.dtype()).to(x.device()).reshape(along);
        Tensor a = x.indexSelect(dim, Tensor.fromArray(lo, out).to(x.device()));
        Tensor b = x.indexSelect(dim, Tensor.fromArray(hi, out).to(x.device()));
        return a.add(b.sub(a).mul(w));
    }
}
