package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Tensor;

/**
 * kernels/softmax.cu: inputs made contiguous and viewed as (outer, d, inner) around dim. Rows of
 * up to 1024 elements get one warp each (8 rows per block of 256); longer rows one block each.
 */
final class SoftmaxLauncher extends Launcher {
    private static final int WARP_ROW_LIMIT = 1024;
    private static final int ROWS_PER_BLOCK = 8;

    SoftmaxLauncher(CudaContext context) {
        super(context);
    }

    /** A tensor viewed as (outer, d, inner) around dim: outer * inner rows of d elements. */
    private record Rows(int outer, int d, int inner) {
        static Rows around(int[] shape, int dim) {
            int outer = 1;
            int inner = 1;
            for (int i = 0; i < dim; i++) {
                outer *= shape[i];
            }
            for (int i = dim + 1; i < shape.length; i++) {
                inner *= shape[i];
            }
            return new Rows(outer, shape.length == 0 ? 1 : shape[dim], inner);
        }

        /** The kernels' (outer, d, inner, log) arguments. */
        KernelArgs append(KernelArgs args, boolean log) {
            return args.i32(outer).i32(d).i32(inner).i32(log ? 1 : 0);
        }
    }

    private void launchRows(String kernel, DType t, Rows s, KernelArgs args) {
        int rows = s.outer() * s.inner();
        if (s.d() <= WARP_ROW_LIMIT) {
            launch("softmax", t, "softmax_" + kernel + "warp_" + Layout.suffix(t),
                    Dim3.of((rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK), new Dim3(32, ROWS_PER_BLOCK, 1), 0, args);
        } else {
            launch("softmax", t, "softmax_" + kernel + "block_" + Layout.suffix(t),
                    Dim3.of(Math.min(rows, 65535)), Dim3.of(BLOCK), 0, args);
        }
    }

    Tensor forward(Tensor x, int dim, boolean log) {
        DType t = x.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported(log ? "log_softmax" : "softmax", t);
        }
        Tensor y = newTensor(x.shape(), t);
        Rows s = Rows.around(x.shape(), dim);
        if (y.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                launchRows("", t, s, s.append(new KernelArgs().ptr(tmp.contiguous(x)).ptr(y), log));
            }
        }
        return y;
    }

    Tensor backward(Tensor gy, Tensor y, int dim, boolean log) {
        DType t = y.dtype();
        if (!t.isFloatingPoint()) {
            throw unsupported(log ? "log_softmax_backward" : "softmax_backward", t);
        }
        Tensor gx = newTensor(y.shape(), t);
        Rows s = Rows.around(y.shape(), dim);
        if (gx.numel() > 0) {
            try (Temporaries tmp = temporaries()) {
                launchRows("bwd", t, s, s.append(new KernelArgs().ptr(tmp.contiguous(gy)).ptr(tmp.contiguous(y)).ptr(gx), log));
            }
        }
        return gx;
    }
}
