package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.HalfFloats;
import dev.kiln.spi.NdArray;

/**
 * kernels/copy.cu: strided copies (contiguous, copy_ with broadcast), casts between every pair of dtypes,
 * fills and arange; bfloat16 and float16 copy and fill as 16 bits.
 */
final class CopyLauncher extends Launcher {
    CopyLauncher(CudaContext context) {
        super(context);
    }

    /** src broadcast to dst's shape -> the view dst. */
    void copy(NdArray src, NdArray dst) {
        int[] shape = dst.shape();
        KernelLayout.checkRank("copy", shape);
        int n = dst.numel();
        if (n == 0) {
            return;
        }
        DType t = dst.dtype();
        KernelLayout.Merged m = KernelLayout.merge(shape, src, dst);
        if (m.linear(false, false)) {
            launch("copy", t, "copy_contig_" + KernelLayout.bitsSuffix(t), gridFor(packs(n, t), BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(src).ptr(dst).i32(n));
        } else {
            launch("copy", t, "copy_strided_" + KernelLayout.bitsSuffix(t), gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                    .ptr(src).ptr(dst).bytes(m.shape8()).bytes(m.strides8(0)).bytes(m.strides8(1)).i32(n));
        }
    }

    NdArray contiguous(NdArray x) {
        NdArray y = newArray(x.shape(), x.dtype());
        copy(x, y);
        return y;
    }

    /** Between any two dtypes, converting as the CPU backend does; x any view, the result contiguous. */
    NdArray cast(NdArray x, DType to) {
        if (x.dtype() == to) {
            return contiguous(x);
        }
        KernelLayout.checkRank("cast", x.shape());
        NdArray y = newArray(x.shape(), to);
        int n = x.numel();
        if (n > 0) {
            String kernel = "cast_" + KernelLayout.suffix(x.dtype()) + "to" + KernelLayout.suffix(to) + "_f64";
            KernelLayout.Merged m = KernelLayout.merge(x.shape(), x);
            launch("copy", DType.FLOAT64, kernel, gridFor(n, BLOCK), Dim3.of(BLOCK), 0, new KernelArgs()
                    .ptr(x).ptr(y).bytes(m.shape8()).bytes(m.strides8(0)).i32(n));
        }
        return y;
    }

    NdArray full(int[] shape, DType dtype, double value) {
        NdArray y = newArray(shape, dtype);
        int n = y.numel();
        if (n == 0) {
            return y;
        }
        KernelArgs args = new KernelArgs().ptr(y);
        switch (dtype) {
            case FLOAT32: args.f32((float) value); break;
            case FLOAT64: args.f64(value); break;
            case INT64: args.i64((long) value); break;
            case BFLOAT16: case FLOAT16: args.i32(HalfFloats.fromFloat(dtype, (float) value) & 0xFFFF); break;
            default: args.i32(value != 0 ? 1 : 0);
        }
        launch("copy", dtype, "fill_contig_" + KernelLayout.bitsSuffix(dtype), gridFor(packs(n, dtype), BLOCK), Dim3.of(BLOCK), 0,
                args.i32(n));
        return y;
    }

    /** (n,): start + i * step computed in double, converted as Java converts (the SPI's definition). */
    NdArray arange(double start, double step, int n, DType dtype) {
        NdArray y = newArray(new int[] {n}, dtype);
        if (n > 0) {
            String kernel = dtype == DType.FLOAT64 ? "arange_f64" : "arange_to" + KernelLayout.suffix(dtype) + "_f64";
            launch("copy", DType.FLOAT64, kernel, gridFor(n, BLOCK), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(y).f64(start).f64(step).i32(n));
        }
        return y;
    }
}
