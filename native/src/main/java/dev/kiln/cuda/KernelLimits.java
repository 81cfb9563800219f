package dev.kiln.cuda;

import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * What the kernels can index: they count elements and compute offsets in 32-bit ints, and step
 * grid-stride loops by up to gridDim.x * blockDim.x, so a view's elements plus that step must fit an
 * int, and its offsets must stay inside its storage; and CUDA caps grid.y and grid.z. {@link Launcher#launch} checks every
 * view passed to a kernel and every grid, so nothing a kernel cannot index reaches one.
 */
final class KernelLimits {
    /** CUDA's limit on grid.y and grid.z (grid.x's, 2^31 - 1, is an int's). */
    static final int MAX_GRID_YZ = 65535;

    private KernelLimits() {
    }

    static void checkGrid(String kernel, Dim3 grid) {
        if (grid.y() > MAX_GRID_YZ || grid.z() > MAX_GRID_YZ) {
            throw new IllegalArgumentException(kernel + ": grid " + grid + " exceeds CUDA's limit of " + MAX_GRID_YZ
                    + " blocks in y and z");
        }
    }

    /**
     * view, as a kernel stepping loops by up to {@code step} reads it: its element count plus step
     * must fit an int, and it must lie inside its storage (whose size is an int, so then every offset
     * from its first element does too).
     */
    static void checkView(String kernel, Tensor view, long step) {
        int[] shape = view.shape();
        int[] stride = view.stride();
        long elements = 1;
        long first = view.storageOffset();   // the lowest and highest elements it reaches
        long last = view.storageOffset();
        for (int d = 0; d < shape.length; d++) {
            elements = Math.multiplyExact(elements, shape[d]);
            long span = Math.multiplyExact((long) Math.max(0, shape[d] - 1), stride[d]);
            first = Math.addExact(first, Math.min(0, span));
            last = Math.addExact(last, Math.max(0, span));
        }
        if (elements == 0) {
            return;
        }
        String what = kernel + ": a view of shape " + Arrays.toString(shape) + " with strides " + Arrays.toString(stride)
                + " at offset " + view.storageOffset();
        if (Math.addExact(elements, step) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " has " + elements + " elements; with the grid's step of " + step
                    + " they exceed the kernel's 32-bit indexing (2^31 - 1)");
        }
        if (first < 0 || last >= view.storage().size()) {
            throw new IllegalArgumentException(what + " reaches elements " + first + " to " + last + " of a storage of "
                    + view.storage().size());
        }
    }
}
