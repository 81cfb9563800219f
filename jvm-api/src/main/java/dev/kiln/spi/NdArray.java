package dev.kiln.spi;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Shape;

/**
 * What a {@link Backend} reads and writes: a {@link Storage} seen through a {@link Layout}, with no
 * autograd state and no user API (candle's storage + layout). The tensor API hands its tensors to
 * backends as NdArrays and wraps their results, so no kernel can record a graph node or call back
 * into {@code Tensor}. Accessors are named as Tensor's.
 */
public record NdArray(Storage storage, Layout layout) {
    /** A contiguous array over all of {@code storage}; shape is copied. */
    public static NdArray of(Storage storage, int[] shape) {
        if (Shape.numel("wrap", shape) != storage.size()) {
            throw new IllegalArgumentException("wrap: shape " + Shape.str(shape) + " needs " + Shape.numel(shape)
                    + " elements but storage has " + storage.size());
        }
        return new NdArray(storage, Layout.contiguous(shape.clone()));
    }

    /** A view of {@code storage}; shape and stride are copied; a view reaching outside the storage is refused. */
    public static NdArray of(Storage storage, int[] shape, int[] stride, int offset) {
        return checked("wrap", storage, new Layout(shape.clone(), stride.clone(), offset));
    }

    private static NdArray checked(String op, Storage storage, Layout l) {
        Shape.checkView(op, l.shape(), l.stride(), l.offset(), storage.size());
        return new NdArray(storage, l);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    public int[] shape() {
        return layout.shape().clone();
    }

    /** Size along dim; negative dims count from the end, as Tensor's. */
    public int size(int dim) {
        return layout.shape()[Shape.dim("size", dim, layout.dim())];
    }

    public int[] stride() {
        return layout.stride().clone();
    }

    public int stride(int dim) {
        return layout.stride()[Shape.dim("stride", dim, layout.dim())];
    }

    public int storageOffset() {
        return layout.offset();
    }

    public int dim() {
        return layout.dim();
    }

    public int numel() {
        return layout.numel();
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    /** This array with its dims reordered: dim i of the result is dim dims[i] of this one. */
    public NdArray permute(int[] dims) {
        return new NdArray(storage, layout.permute(dims));
    }

    /** Elements start..start+length-1 along dim (the extent is checked). */
    public NdArray narrow(int dim, int start, int length) {
        return checked("narrow", storage, layout.narrow(dim, start, length));
    }

    /** This array broadcast to shape (stride 0 along broadcast dims). */
    public NdArray expand(int[] shape) {
        return new NdArray(storage, layout.expand(shape));
    }

    @Override
    public String toString() {
        return "NdArray[" + dtype() + " " + Shape.str(layout.shape()) + " on " + device() + "]";
    }
}
