package dev.kiln;

import java.util.Arrays;

/** Shape and stride arithmetic shared by the tensor API and the backends. Shapes are row-major. */
public final class Shape {
    private Shape() {
    }

    /** Number of elements; throws if it does not fit a Java array index. */
    public static int numel(int[] shape) {
        return numel("shape", shape);
    }

    /**
     * Number of elements, checked for {@code op}: sizes are non-negative and the product of the
     * sizes (counting empty dims as 1, since contiguous strides multiply them) fits in an int —
     * Kiln's sizes, strides and element offsets are 32-bit.
     */
    public static int numel(String op, int[] shape) {
        long n = 1;
        long extent = 1; // product with empty dims counted as 1: the largest contiguous stride
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": shape " + str(shape) + " has a negative size");
            }
            n *= d;
            extent *= Math.max(d, 1);
            if (extent > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than 2^31-1 elements"
                        + (n == 0 ? " along its non-empty dims" : "") + "; Kiln's tensors hold at most 2147483647");
            }
        }
        return (int) n;
    }

    /**
     * Checks that a view (shape, stride, offset) of a storage of {@code storageSize} elements is
     * addressable: at most 2^31-1 elements, non-negative strides and offset, and every element it
     * reaches inside the storage. Computed in long, so no sum or product wraps.
     */
    public static void checkView(String op, int[] shape, int[] stride, long offset, int storageSize) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException(op + ": shape " + str(shape) + " and stride " + str(stride)
                    + " differ in rank");
        }
        int n = numel(op, shape);
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException(op + ": storage offset " + offset + " is out of range for a storage of "
                    + storageSize + " elements (shape " + str(shape) + ")");
        }
        if (n == 0) {
            return; // reads nothing
        }
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (stride[i] < 0) {
                throw new IllegalArgumentException(op + ": stride " + str(stride) + " has a negative entry (shape "
                        + str(shape) + "); Kiln's views have non-negative strides");
            }
            last += (long) (shape[i] - 1) * stride[i]; // < 2^62 added to < 2^31: no overflow
            if (last >= storageSize) {
                throw new IndexOutOfBoundsException(op + ": a view of shape " + str(shape) + ", stride "
                        + str(stride) + " and offset " + offset + " reaches past the end of a storage of "
                        + storageSize + " elements");
            }
        }
        if (last >= storageSize) { // a 0-d view or all sizes 1: the offset itself
            throw new IndexOutOfBoundsException(op + ": a view of shape " + str(shape) + " at offset " + offset
                    + " is past the end of a storage of " + storageSize + " elements");
        }
    }

    /** True when (shape, stride) lays the elements out in row-major order without gaps (size-1 dims: any stride). */
    public static boolean isContiguous(int[] shape, int[] stride) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] stride = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return stride;
    }

    /** Normalises a possibly negative dim index against a rank, naming the op on failure. */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dim " + dim + " is out of range for a tensor of rank " + rank
                    + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** Broadcast two shapes by NumPy/PyTorch rules, or throw naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (size " + da + " vs " + db + " at dim " + i + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        numel(op, out); // (65536, 1) + (1, 65536) would not fit one tensor
        return out;
    }

    /**
     * Strides that read a tensor of {@code shape}/{@code stride} as if it had {@code target} shape:
     * broadcast dims get stride 0. The shape must broadcast to target.
     */
    public static int[] broadcastStrides(int[] shape, int[] stride, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                out[i] = 0;
            } else {
                int d = shape[i - lead];
                out[i] = d == 1 && target[i] != 1 ? 0 : stride[i - lead];
            }
        }
        return out;
    }

    /**
     * newShape (one dim may be -1, inferred) checked against a tensor of {@code shape}: the same
     * number of elements, no size whose product overflows.
     */
    public static int[] infer(String op, int[] newShape, int[] shape) {
        int[] out = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": only one dim can be -1, got " + str(newShape));
                }
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + out[i] + " in " + str(newShape));
            } else {
                known *= out[i];
            }
        }
        int[] given = out.clone();
        if (infer >= 0) {
            given[infer] = 1;
        }
        numel(op, given); // sizes whose product overflows are refused before any arithmetic on them
        int n = numel(shape);
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + str(newShape) + " is invalid for a tensor of shape "
                        + str(shape) + " (" + n + " elements)");
            }
            out[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + str(newShape) + " is invalid for a tensor of shape "
                    + str(shape) + " (" + n + " elements)");
        }
        return out;
    }

    /**
     * Strides for viewing a tensor of (shape, stride) as {@code target}, or null when a copy is
     * needed (as torch's computeStride).
     */
    public static int[] viewStrides(int[] shape, int[] stride, int[] target) {
        int[] out = new int[target.length];
        if (numel(shape) == 0) {
            return contiguousStrides(target);
        }
        int viewD = target.length - 1;
        long chunkBase = shape.length == 0 ? 1 : stride[shape.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && stride[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= target[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = stride[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        while (viewD >= 0) {
            out[viewD--] = 1; // only size-1 dims remain
        }
        return out;
    }

    /** a without its element i. */
    public static int[] remove(int[] a, int i) {
        int[] out = new int[a.length - 1];
        System.arraycopy(a, 0, out, 0, i);
        System.arraycopy(a, i + 1, out, i, a.length - i - 1);
        return out;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
