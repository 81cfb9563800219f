package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.spi.NdArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes the kernels' layout structs (kernels/src/main/cuda/kiln.cuh): Shape8 {int size[8]} and
 * Strides8 {int stride[8]}, right-aligned (leading sizes 1, strides 0), little-endian.
 */
final class KernelLayout {
    static final int DIMS = 8;

    private KernelLayout() {
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
    static byte[] strides8(NdArray x, int[] shape) {
        return strides8(x.shape(), x.stride(), shape);
    }

    /** As {@link #strides8(NdArray, int[])} for dims (size, stride) that are not a tensor of their own. */
    static byte[] strides8(int[] size, int[] stride, int[] shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * DIMS).order(ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < DIMS; d++) {
            int outDim = d - (DIMS - shape.length);
            int xDim = outDim - (shape.length - size.length);
            b.putInt(xDim < 0 || size[xDim] == 1 ? 0 : stride[xDim]);
        }
        return b.array();
    }

    /**
     * A shape and the broadcast strides of each operand over it, with size-1 dims dropped and
     * adjacent dims merged wherever every operand steps through them as one (stride[d] =
     * stride[d + 1] * size[d + 1]): the same row-major element order in fewer dims, so the
     * kernels' strided_offset divides less (a contiguous operand of the full shape becomes 1-D).
     */
    record Merged(int[] shape, int[][] strides) {
        byte[] shape8() {
            return KernelLayout.shape8(shape);
        }

        /**
         * Whether the merged layout is at most one dim through which operand k steps by 1, or by 0
         * where {@code scalarOk[k]} (one element broadcast): the *_contig kernels' case, which needs
         * no index arithmetic.
         */
        boolean linear(boolean... scalarOk) {
            if (shape.length > 1) {
                return false;
            }
            for (int k = 0; k < strides.length; k++) {
                int step = shape.length == 0 ? 1 : strides[k][0];
                if (step != 1 && !(step == 0 && scalarOk[k])) {
                    return false;
                }
            }
            return true;
        }

        /** 1 where operand k is one broadcast scalar over a {@link #linear} layout, else 0. */
        int scalar(int k) {
            return shape.length == 1 && strides[k][0] == 0 ? 1 : 0;
        }

        byte[] strides8(int operand) {
            ByteBuffer b = ByteBuffer.allocate(4 * DIMS).order(ByteOrder.LITTLE_ENDIAN);
            for (int d = 0; d < DIMS; d++) {
                int src = d - (DIMS - shape.length);
                b.putInt(src < 0 ? 0 : strides[operand][src]);
            }
            return b.array();
        }
    }

    /** {@code shape} (the broadcast shape of the operands) and each operand's strides over it, merged. */
    static Merged merge(int[] shape, NdArray... operands) {
        int[][] full = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) {
            full[k] = dev.kiln.Shape.broadcastStrides(operands[k].shape(), operands[k].stride(), shape);
        }
        int[] size = new int[shape.length];
        int[][] stride = new int[operands.length][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean joins = rank > 0;
            for (int k = 0; k < operands.length && joins; k++) {
                joins = stride[k][rank - 1] == full[k][d] * shape[d];
            }
            if (joins) {
                size[rank - 1] *= shape[d];
                for (int k = 0; k < operands.length; k++) {
                    stride[k][rank - 1] = full[k][d];
                }
            } else {
                size[rank] = shape[d];
                for (int k = 0; k < operands.length; k++) {
                    stride[k][rank] = full[k][d];
                }
                rank++;
            }
        }
        int[][] merged = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) {
            merged[k] = Arrays.copyOf(stride[k], rank);
        }
        return new Merged(Arrays.copyOf(size, rank), merged);
    }

    static String suffix(DType dtype) {
        switch (dtype) {
            case FLOAT32: return "f32";
            case FLOAT64: return "f64";
            case INT64: return "i64";
            case BFLOAT16: return "bf16";
            case FLOAT16: return "f16";
            default: return "b8";
        }
    }

    /** The suffix of the kernels that only move elements (copies, fills): bfloat16 and float16 move as 16 bits. */
    static String bitsSuffix(DType dtype) {
        return dtype.isHalf() ? "u16" : suffix(dtype);
    }

    /** The module holding a family's kernels of this dtype (f64 kernels are compiled apart). */
    static String module(String family, DType dtype) {
        return dtype == DType.FLOAT64 ? family + "_f64" : family;
    }
}
