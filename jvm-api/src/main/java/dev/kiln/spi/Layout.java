package dev.kiln.spi;

import dev.kiln.Shape;
import java.util.Arrays;

/**
 * How a view reads its storage: sizes, strides (in elements) and the offset of its first element
 * (candle's {@code Layout}). The arrays are shared with the tensors and arrays over them and never
 * written; {@link NdArray#shape()} and {@link NdArray#stride()} hand out copies.
 */
public record Layout(int[] shape, int[] stride, int offset) {
    /** The row-major layout of a fresh tensor of {@code shape}. */
    public static Layout contiguous(int[] shape) {
        return new Layout(shape, Shape.contiguousStrides(shape), 0);
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    /** True when the elements lie in row-major order without gaps (size-1 dims may have any stride). */
    public boolean isContiguous() {
        return Shape.isContiguous(shape, stride);
    }

    /** Dim i of the result is dim dims[i] of this layout. */
    Layout permute(int[] dims) {
        int[] s = new int[dims.length];
        int[] st = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = shape[dims[i]];
            st[i] = stride[dims[i]];
        }
        return new Layout(s, st, offset);
    }

    /** Elements start..start+length-1 along dim. */
    Layout narrow(int dim, int start, int length) {
        int[] s = shape.clone();
        s[dim] = length;
        long o = offset + (long) start * stride[dim];   // inside the storage: NdArray checks the extent
        return new Layout(s, stride, length == 0 ? offset : (int) o);
    }

    /** Broadcast to {@code target} (stride 0 along broadcast dims). */
    Layout expand(int[] target) {
        return new Layout(target.clone(), Shape.broadcastStrides(shape, stride, target), offset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && offset == l.offset && Arrays.equals(shape, l.shape) && Arrays.equals(stride, l.stride);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(stride)) + offset;
    }

    @Override
    public String toString() {
        return "Layout[shape=" + Shape.str(shape) + ", stride=" + Shape.str(stride) + ", offset=" + offset + "]";
    }
}
