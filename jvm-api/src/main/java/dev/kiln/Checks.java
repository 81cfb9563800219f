package dev.kiln;

/** Argument checks whose messages name the op, the argument and the shapes (DESIGN.md principle 7). */
final class Checks {
    private Checks() {
    }

    static void sameDevice(String op, String nameA, Tensor a, String nameB, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": " + nameA + " is on " + a.device() + " but " + nameB + " is on "
                    + b.device() + " (shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + "); move one with .to(device)");
        }
    }

    static void sameDType(String op, String nameA, Tensor a, String nameB, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": " + nameA + " is " + a.dtype() + " but " + nameB + " is "
                    + b.dtype() + " (shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + "); convert one with .to(DType)");
        }
    }

    static void compatible(String op, String nameA, Tensor a, String nameB, Tensor b) {
        sameDevice(op, nameA, a, nameB, b);
        sameDType(op, nameA, a, nameB, b);
    }

    static void floating(String op, String name, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": " + name + " must be float32 or float64, got " + x.dtype()
                    + " (shape " + Shape.str(x.shape()) + ")");
        }
    }

    static void dtype(String op, String name, Tensor x, DType expected) {
        if (x.dtype() != expected) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected + ", got " + x.dtype()
                    + " (shape " + Shape.str(x.shape()) + ")");
        }
    }

    static void rank(String op, String name, Tensor x, int rank, String layout) {
        if (x.dim() != rank) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + rank + "-D " + layout + ", got shape "
                    + Shape.str(x.shape()));
        }
    }

    /** a and b on one device, of one dtype and of the same shape (a gradient and the tensor it belongs to). */
    static void sameShape(String op, String nameA, Tensor a, String nameB, Tensor b) {
        compatible(op, nameA, a, nameB, b);
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": " + nameA + " " + Shape.str(a.shape()) + " and " + nameB + " "
                    + Shape.str(b.shape()) + " must have the same shape");
        }
    }
}
