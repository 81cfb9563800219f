package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Tensor;

/** kernels/copy.cu: strided copies (contiguous, copy_ with broadcast), float casts, fills and arange. */
final class CopyLauncher extends Launcher {
    CopyLauncher(CudaContext context) {
        super(context);
    }

    /** src broadcast to dst's shape -> the view dst. */
    void copy(Tensor src, Tensor dst) {
        int[] shape = dst.shape();
        Layout.checkRank("copy", shape);
        int n = dst.numel();
        if (n == 0) {
            return;
        }
        DType t = dst.dtype();
        Layout.Merged m = Layout.merge(shape, src, dst);
        if (m.linear(false, false)) {
            launch("copy", t, "copy_contig_" + Layout.suffix(t), gridFor(packs(n, t), BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(src).ptr(dst).i32(n));
        } else {
            launch("copy", t, "copy_strided_" + Layout.suffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                    .ptr(src).ptr(dst).bytes(m.shape8()).bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n));
        }
    }

    Tensor contiguous(Tensor x) {
        Tensor y = newTensor(x.shape(), x.dtype());
        copy(x, y);
        return y;
    }

    /** Between any two dtypes, converting as the CPU backend does; x any view, the result contiguous. */
    Tensor cast(Tensor x, DType to) {
        if (x.dtype() == to) {
            return contiguous(x);
        }
        Layout.checkRank("cast", x.shape());
        Tensor y = newTensor(x.shape(), to);
        int n = x.numel();
        if (n > 0) {
            String kernel = "cast_" + Layout.suffix(x.dtype()) + "to" + Layout.suffix(to) + "_f64";
            Layout.Merged m = Layout.merge(x.shape(), x);
            launch("copy", DType.FLOAT64, kernel, gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                    .ptr(x).ptr(y).bytes(m.shape8()).bytes(m.strides8(0)).i32(n));
        }
        return y;
    }

    Tensor full(int[] shape, DType dtype, double value) {
        Tensor y = newTensor(shape, dtype);
        int n = y.numel();
        if (n == 0) {
            return y;
        }
        KernelArgs args = new KernelArgs().ptr(y);
        switch (dtype) {
            case FLOAT32: args.f32((float) value); break;
            case FLOAT64: args.f64(value); break;
            case INT64: args.i64((long) value); break;
            default: args.i32(value != 0 ? 1 : 0);
        }
        launch("copy", dtype, "fill_contig_" + Layout.suffix(dtype), gridFor(packs(n, dtype), BLOCK), Dim3.of(BLOCK), 0,
                args.i32(n));
        return y;
    }

    /** (n,): start + i * step computed in double, converted as Java converts (the SPI's definition). */
    Tensor arange(double start, double step, int n, DType dtype) {
        Tensor y = newTensor(new int[] {n}, dtype);
        if (n > 0) {
            String kernel = dtype == DType.FLOAT64 ? "arange_f64" : "arange_to" + Layout.suffix(dtype) + "_f64";
            launch("copy", DType.FLOAT64, kernel, gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(y).f64(start).f64(step).i32(n));
        }
        return y;
    }
}
