package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes the kernels' layout structs (kernels/src/main/cuda/kiln.cuh): Shape8 {int size[8]} and
 * Strides8 {int stride[8]}, right-aligned (leading sizes 1, strides 0), little-endian.
 */
final class Layout {
    static final int DIMS = 8;

    private Layout() {
    }

    static void checkRank(String op, int[] shape) {
        if (shape.length > DIMS) {
            throw new IllegalArgumentException(op + ": the cuda backend supports tensors of rank <= " + DIMS
                    + ", got shape " + Arrays.toString(shape));
        }
    }

    static byte[] shape8(int[] shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * DIMS).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < DIMS; d++) {
            int src = d - (DIMS - shape.length);
            b.putInt(src < 0 ? 1 : shape[src]);
        }
        return b.array();
    }

    /** The strides of x read as if broadcast to {@code shape} (0 where x is broadcast). */
    static byte[] strides8(Tensor x, int[] shape) {
        int[] size = x.shape();
        int[] stride = x.stride();
        ByteBuffer b = ByteBuffer.allocate(4 * DIMS).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < DIMS; d++) {
            int outDim = d - (DIMS - shape.length);
            int xDim = outDim - (shape.length - size.length);
            b.putInt(xDim < 0 || size[xDim] == 1 ? 0 : stride[xDim]);
        }
        return b.array();
    }

    static String suffix(DType dtype) {
        switch (dtype) {
            case FLOAT32: return "f32";
            case FLOAT64: return "f64";
            case INT64: return "i64";
            default: return "b8";
        }
    }

    /** The module holding a family's kernels of this dtype (f64 kernels are compiled apart). */
    static String module(String family, DType dtype) {
        return dtype == DType.FLOAT64 ? family + "_f64" : family;
    }
}
