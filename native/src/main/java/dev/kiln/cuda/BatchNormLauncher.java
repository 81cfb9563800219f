package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * kernels/batch_norm.cu: x (N, C, *) made contiguous and seen as (N, C, S). The reductions take a
 * block per channel and sum in double, so their float32 entries live in the f64 module
 * ({@code *_onf32_f64}); the elementwise passes are grid-stride loops in the dtype itself. Outputs
 * are new contiguous tensors of x's dtype.
 */
final class BatchNormLauncher extends Launcher {
    private static final String FAMILY = "batch_norm";

    BatchNormLauncher(CudaContext context) {
        super(context);
    }

    /** x (N, C, *) as (N, C, S): S the product of the dims after 1 (1 for 2-D x). */
    private record Ncs(int n, int c, int s) {
        static Ncs of(int[] shape) {
            int s = 1;
            for (int d = 2; d < shape.length; d++) {
                s *= shape[d];
            }
            return new Ncs(shape[0], shape[1], s);
        }

        int[] channels() {
            return new int[] {c};
        }

        int total() {
            return n * c * s;
        }
    }

    /** x (N, C, *) -> {mean (C), biased variance (C)}; N S == 0 gives NaN for both. */
    NdArray[] stats(NdArray x) {
        Ncs d = checkInput("batch_norm_stats", x);
        NdArray mean = newArray(d.channels(), x.dtype());
        NdArray var = newArray(d.channels(), x.dtype());
        if (d.c() > 0) {
            try (Temporaries tmp = temporaries()) {
                reduce("stats", d, new KernelArgs().ptr(tmp.contiguous(x)).ptr(mean).ptr(var), x.dtype());
            }
        }
        return new NdArray[] {mean, var};
    }

    /** gy, x (N, C, *), mean (C) -> {sum(gy) (C), sum(gy (x - mean)) (C)}. */
    NdArray[] backwardReduce(NdArray gy, NdArray x, NdArray mean) {
        String op = "batch_norm_backward_reduce";
        Ncs d = checkInput(op, x);
        checkLikeInput(op, "grad_output", gy, x);
        checkChannels(op, "mean", mean, x);
        NdArray sumDy = newArray(d.channels(), x.dtype());
        NdArray sumDyXmu = newArray(d.channels(), x.dtype());
        if (d.c() > 0) {
            try (Temporaries tmp = temporaries()) {
                reduce("bwdreduce", d, new KernelArgs().ptr(tmp.contiguous(gy)).ptr(tmp.contiguous(x))
                        .ptr(tmp.contiguous(mean)).ptr(sumDy).ptr(sumDyXmu), x.dtype());
            }
        }
        return new NdArray[] {sumDy, sumDyXmu};
    }

    /** y = (x - mean) invstd weight + bias per channel, of x's shape. */
    NdArray elemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        String op = "batch_norm_elemt";
        Ncs d = checkInput(op, x);
        checkChannels(op, "mean", mean, x);
        checkChannels(op, "invstd", invstd, x);
        checkChannels(op, "weight", weight, x);
        checkChannels(op, "bias", bias, x);
        NdArray y = newArray(x.shape(), x.dtype());
        if (y.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                elementwise("elemt", d, new KernelArgs().ptr(tmp.contiguous(x)).ptr(tmp.contiguous(mean))
                        .ptr(tmp.contiguous(invstd)).ptr(tmp.contiguous(weight)).ptr(tmp.contiguous(bias)).ptr(y)
                        .i32(d.c()).i32(d.s()).i32(y.numel()), x.dtype());
            }
        }
        return y;
    }

    /**
     * gx = (gy - sumDy / count - (x - mean) invstd^2 sumDyXmu / count) invstd weight per channel, or
     * gy invstd weight when both sums are null.
     */
    NdArray backwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy, NdArray sumDyXmu,
                         long count) {
        String op = "batch_norm_backward_elemt";
        Ncs d = checkInput(op, x);
        checkLikeInput(op, "grad_output", gy, x);
        checkChannels(op, "mean", mean, x);
        checkChannels(op, "invstd", invstd, x);
        checkChannels(op, "weight", weight, x);
        if ((sumDy == null) != (sumDyXmu == null)) {
            throw new IllegalArgumentException(op + ": sum_dy and sum_dy_xmu must both be given or both be null, got "
                    + (sumDy == null ? "sum_dy null" : "sum_dy_xmu null"));
        }
        if (sumDy != null) {
            checkChannels(op, "sum_dy", sumDy, x);
            checkChannels(op, "sum_dy_xmu", sumDyXmu, x);
            if (count < 0) {
                throw new IllegalArgumentException(op + ": count must be >= 0, got " + count);
            }
        }
        NdArray gx = newArray(x.shape(), x.dtype());
        if (gx.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                KernelArgs args = new KernelArgs().ptr(tmp.contiguous(gy)).ptr(tmp.contiguous(x)).ptr(tmp.contiguous(mean))
                        .ptr(tmp.contiguous(invstd)).ptr(tmp.contiguous(weight))
                        .ptrOrNull(sumDy == null ? null : tmp.contiguous(sumDy))
                        .ptrOrNull(sumDyXmu == null ? null : tmp.contiguous(sumDyXmu)).ptr(gx)
                        .i32(d.c()).i32(d.s()).i32(gx.numel());
                elementwise("bwdelemt", d, x.dtype() == DType.FLOAT64 ? args.f64(count) : args.f32(count), x.dtype());
            }
        }
        return gx;
    }

    /** A block per channel (blocks stride over channels), of just enough warps for N S up to BLOCK threads. */
    private void reduce(String variant, Ncs d, KernelArgs args, DType t) {
        long count = (long) d.n() * d.s();
        int threads = (int) Math.max(32, Math.min(BLOCK, (count + 31) / 32 * 32));
        String kernel = FAMILY + "_" + variant + (t == DType.FLOAT64 ? "_f64" : "_onf32_f64");
        launch(FAMILY, DType.FLOAT64, kernel, Dim3.of(Math.min(d.c(), MAX_GRID)), Dim3.of(threads), 0,
                args.i32(d.n()).i32(d.c()).i32(d.s()));
    }

    private void elementwise(String variant, Ncs d, KernelArgs args, DType t) {
        launch(FAMILY, t, FAMILY + "_" + variant + "_" + KernelLayout.suffix(t), gridFor(d.total(), BLOCK), Dim3.of(BLOCK), 0, args);
    }

    /** x's layout, after checking its dtype, device and rank. */
    private Ncs checkInput(String op, NdArray x) {
        if (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) {
            throw unsupported(op, x.dtype());
        }
        checkDevice(op, "input", x);
        if (x.dim() < 2) {
            throw new IllegalArgumentException(op + ": expected input of at least 2 dims (N, C, *), got " + Shape.str(x.shape()));
        }
        return Ncs.of(x.shape());
    }

    /** a must have x's dtype and shape. */
    private void checkLikeInput(String op, String name, NdArray a, NdArray x) {
        checkDevice(op, name, a);
        if (a.dtype() != x.dtype() || !Arrays.equals(a.shape(), x.shape())) {
            throw new IllegalArgumentException(op + ": expected " + name + " " + x.dtype() + " " + Shape.str(x.shape())
                    + " like input, got " + a.dtype() + " " + Shape.str(a.shape()));
        }
    }

    /** v must be (C) of x's dtype. */
    private void checkChannels(String op, String name, NdArray v, NdArray x) {
        if (v == null) {
            throw new IllegalArgumentException(op + ": " + name + " is required");
        }
        checkDevice(op, name, v);
        if (v.dtype() != x.dtype() || v.dim() != 1 || v.size(0) != x.size(1)) {
            throw new IllegalArgumentException(op + ": expected " + name + " " + x.dtype() + " [" + x.size(1)
                    + "] (the channels of input " + Shape.str(x.shape()) + "), got " + v.dtype() + " " + Shape.str(v.shape()));
        }
    }

    private void checkDevice(String op, String name, NdArray t) {
        if (!t.device().equals(context.device())) {
            throw new IllegalArgumentException(op + ": " + name + " must be on " + context.device() + ", got " + t.device());
        }
    }
}
