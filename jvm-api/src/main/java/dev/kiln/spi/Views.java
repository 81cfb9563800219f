package dev.kiln.spi;

import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * Views for backends: the layout arithmetic of {@link Tensor}'s view methods without the user API
 * around it, so a kernel never records an autograd node or re-validates user arguments mid-op.
 * Arguments are trusted (the API checked them); the extent is still checked by {@link Tensor#wrap}.
 */
public final class Views {
    private Views() {
    }

    /** x with its dims reordered: dim i of the result is dim dims[i] of x. */
    public static Tensor permute(Tensor x, int[] dims) {
        int[] shape = new int[dims.length];
        int[] stride = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = x.size(dims[i]);
            stride[i] = x.stride(dims[i]);
        }
        return Tensors.wrap(Tensors.storage(x), shape, stride, x.storageOffset());
    }

    /** Elements start..start+length-1 of x along dim. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int[] shape = x.shape();
        shape[dim] = length;
        long offset = x.storageOffset() + (long) start * x.stride(dim);   // inside the storage: wrap checks the extent
        return Tensors.wrap(Tensors.storage(x), shape, x.stride(), length == 0 ? x.storageOffset() : (int) offset);
    }

    /** x broadcast to shape (stride 0 along broadcast dims). */
    public static Tensor expand(Tensor x, int[] shape) {
        return Tensors.wrap(Tensors.storage(x), shape, Shape.broadcastStrides(x.shape(), x.stride(), shape), x.storageOffset());
    }
}
