package dev.kiln.cpu;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;

/**
 * bfloat16 and float16 for the kernels written for float32 and float64 (GEMM, convolution, pooling,
 * softmax, batch norm, attention, sparse products, optimizer steps): their inputs are widened to
 * float32 (exactly), the float32 kernel runs, and each floating result is rounded once to the input's
 * dtype — float32 accumulation and one rounding, as PyTorch's CPU kernels for these dtypes do. Other
 * dtypes pass through untouched.
 */
final class HalfAsFloat32 {
    private HalfAsFloat32() {
    }

    /** x as float32 when it is a 16-bit float (a new array), else x itself; null stays null. */
    static NdArray up(NdArray x) {
        return x != null && x.dtype().isHalf() ? CpuElementwise.cast(x, DType.FLOAT32) : x;
    }

    /** y rounded to dtype when dtype is a 16-bit float and y is floating; else y itself. */
    static NdArray down(NdArray y, DType dtype) {
        return dtype.isHalf() && y.dtype().isFloatingPoint() && y.dtype() != dtype ? CpuElementwise.cast(y, dtype) : y;
    }

    /** Each floating result rounded to dtype (indices and masks kept). */
    static NdArray[] down(NdArray[] ys, DType dtype) {
        for (int i = 0; i < ys.length; i++) {
            ys[i] = down(ys[i], dtype);
        }
        return ys;
    }

    /** After an in-place kernel ran on {@code wide}, the float32 twin of dst from {@link #up}: dst = wide, rounded. */
    static void writeBack(NdArray dst, NdArray wide) {
        if (dst != null && wide != dst) {
            CpuElementwise.copyInto(dst, wide);
        }
    }
}
