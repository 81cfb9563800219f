package dev.kiln.cuda;

import static dev.kiln.cuda.KernelArgs.ints;

import dev.kiln.DType;
import dev.kiln.Pool2dParams;
import dev.kiln.spi.NdArray;

/**
 * kernels/pool2d.cu: max / avg pool2d forward and backward over (N, C, H, W). Inputs are passed
 * with their strides (views need no copy); outputs are new contiguous tensors. The kernels' Nchw
 * and Window structs are plain ints, written here in field order.
 */
final class Pool2dLauncher extends Launcher {
    private final IndexLauncher indexing;

    Pool2dLauncher(CudaContext context, IndexLauncher indexing) {
        super(context);
        this.indexing = indexing;
    }

    /** struct Window {kh, kw, sh, sw, ph, pw, dh, dw}. */
    private static byte[] window(Pool2dParams p) {
        return ints(p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilationH(), p.dilationW());
    }

    private DType floating(String op, NdArray x) {
        if (!x.dtype().isFloatingPoint()) {
            throw unsupported(op, x.dtype());
        }
        return x.dtype();
    }

    private void run(String kernel, DType t, int threads, KernelArgs args) {
        launch("pool2d", t, kernel + "_" + KernelLayout.suffix(t), gridFor(threads, BLOCK), Dim3.of(BLOCK), 0, args);
    }

    /** {y (N, C, OH, OW), int64 indices h * W + w of each maximum in its input plane}. */
    NdArray[] maxPool2d(NdArray x, Pool2dParams p) {
        DType t = floating("max_pool2d", x);
        int oh = p.outH(x.size(2));
        int ow = p.outW(x.size(3));
        int[] shape = {x.size(0), x.size(1), oh, ow};
        NdArray y = newArray(shape, t);
        NdArray indices = newArray(shape, DType.INT64);
        if (y.numel() > 0) {
            run("maxpool2d_fwd", t, y.numel(), new KernelArgs().ptr(x).ptr(y).ptr(indices)
                    .bytes(ints(x.shape())).bytes(ints(x.stride())).i32(oh).i32(ow).bytes(window(p)));
        }
        return new NdArray[] {y, indices};
    }

    /**
     * gy, indices (N, C, OH, OW) -> gx of inputShape (N, C, H, W): each input gathers the gy of the
     * windows that picked it, in a fixed order (deterministic, no atomics).
     */
    NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        DType t = floating("max_pool2d_backward", gy);
        checkIndicesInWindows(indices, inputShape, p);
        NdArray gx = newArray(inputShape, t);
        if (gx.numel() > 0) {
            run("maxpool2d_bwd", t, gx.numel(), new KernelArgs().ptr(gy).ptr(indices).ptr(gx)
                    .bytes(ints(inputShape)).bytes(ints(gy.stride())).bytes(ints(indices.stride())).i32(gy.size(2))
                    .i32(gy.size(3)).bytes(window(p)));
        }
        return gx;
    }

    /** Every index must be a tap of its own window: the gather would silently drop any other. */
    private void checkIndicesInWindows(NdArray indices, int[] inputShape, Pool2dParams p) {
        int n = indices.numel();
        if (n == 0) {
            return;
        }
        int o = firstFlagged("pool2d", "maxpool2d_index_check_i64", n, new KernelArgs().ptr(indices)
                .bytes(ints(indices.shape())).bytes(ints(indices.stride())).i32(inputShape[2]).i32(inputShape[3])
                .bytes(window(p)));
        if (o >= 0) {
            int oh = indices.size(2);
            int ow = indices.size(3);
            throw new IndexOutOfBoundsException("max_pool2d_backward: index " + indexing.element(indices, o) + " of output ("
                    + o / (ow * oh * indices.size(1)) + ", " + o / (ow * oh) % indices.size(1) + ", " + o / ow % oh + ", "
                    + o % ow + ") is not in that output's pooling window of an input plane of " + inputShape[2] + "x"
                    + inputShape[3]);
        }
    }

    /** x (N, C, H, W) -> y (N, C, OH, OW), the window means (no dilation). */
    NdArray avgPool2d(NdArray x, Pool2dParams p) {
        DType t = floating("avg_pool2d", x);
        int oh = p.outH(x.size(2));
        int ow = p.outW(x.size(3));
        NdArray y = newArray(new int[] {x.size(0), x.size(1), oh, ow}, t);
        if (y.numel() > 0) {
            run("avgpool2d_fwd", t, y.numel(), new KernelArgs().ptr(x).ptr(y).bytes(ints(x.shape()))
                    .bytes(ints(x.stride())).i32(oh).i32(ow).bytes(window(p)).i32(p.countIncludePad() ? 1 : 0).i32(p.divisorOverride()));
        }
        return y;
    }

    /** gy (N, C, OH, OW) -> gx of inputShape (N, C, H, W). */
    NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        DType t = floating("avg_pool2d_backward", gy);
        NdArray gx = newArray(inputShape, t);
        if (gx.numel() > 0) {
            run("avgpool2d_bwd", t, gx.numel(), new KernelArgs().ptr(gy).ptr(gx).bytes(ints(inputShape))
                    .bytes(ints(gy.stride())).i32(gy.size(2)).i32(gy.size(3)).bytes(window(p))
                    .i32(p.countIncludePad() ? 1 : 0).i32(p.divisorOverride()));
        }
        return gx;
    }
}
