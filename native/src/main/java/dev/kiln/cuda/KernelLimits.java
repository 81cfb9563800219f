package dev.kiln.cuda;

import dev.kiln.spi.NdArray;
import java.util.Arrays;

/**
 * What the kernels can index: they count elements and compute offsets in 32-bit ints, and step
 * grid-stride loops by up to gridDim.x * blockDim.x, so a view's elements plus that step must fit an
 * int; and CUDA caps grid.y and grid.z. {@link Launcher#launch} checks every
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
     * must fit an int. (That the view lies inside its storage, NdArray checks when it is made.)
     */
    static void checkView(String kernel, NdArray view, long step) {
        long elements = view.numel();
        if (elements > 0 && elements + step > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kernel + ": a view of shape " + Arrays.toString(view.shape())
                    + " with strides " + Arrays.toString(view.stride()) + " at offset " + view.storageOffset()
                    + " has " + elements + " elements; with the grid's step of " + step
                    + " they exceed the kernel's 32-bit indexing (2^31 - 1)");
        }
    }
}
