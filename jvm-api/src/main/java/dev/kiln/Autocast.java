package dev.kiln;

/**
 * Mixed precision as {@code torch.autocast}: inside a scope, matmul, linear, conv2d and attention cast their
 * float32 inputs to a 16-bit dtype (bfloat16 or float16) and run there; softmax, log_softmax, layer / group /
 * batch norm and binary cross entropy cast 16-bit inputs to float32; an elementwise op, comparison or where
 * over floats of two dtypes runs in the wider one (PyTorch's promotion: bfloat16 with float16 is float32).
 * float64 inputs are left as they are. The casts are recorded, so gradients reach float32 parameters as
 * float32. Scopes are per thread and nest; closing one restores the one around it.
 *
 * <pre>{@code
 * try (Autocast ac = Autocast.enable(DType.BFLOAT16)) {
 *     loss = lossFn.forward(model.forward(x), y);   // convolutions and linear layers in bfloat16
 * }
 * loss.backward();                                  // outside the scope, as PyTorch recommends
 * }</pre>
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<DType> CURRENT = new ThreadLocal<>();
    private final DType previous;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private Autocast(DType dtype) {
        previous = CURRENT.get();
        CURRENT.set(dtype);
    }

    /** Autocasts to dtype (BFLOAT16 or FLOAT16) until closed. */
    public static Autocast enable(DType dtype) {
        if (dtype == null || !dtype.isHalf()) {
            throw new IllegalArgumentException("autocast: the lower-precision dtype must be bfloat16 or float16, got " + dtype);
        }
        return new Autocast(dtype);
    }

    /** A region in full precision inside an autocast scope (torch.autocast(enabled=False)). */
    public static Autocast disable() {
        return new Autocast(null);
    }

    /** The dtype ops autocast to on this thread, or null outside any scope. */
    public static DType dtype() {
        return CURRENT.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("autocast: a scope must be closed by the thread that opened it");
        }
        closed = true;
        CURRENT.set(previous);
    }

    /** x cast to the autocast dtype when a scope is on and x is float32 or the other 16-bit dtype; else x (null stays). */
    static Tensor lower(Tensor x) {
        DType to = CURRENT.get();
        if (to == null || x == null || x.dtype() == to || !(x.dtype() == DType.FLOAT32 || x.dtype().isHalf())) {
            return x;
        }
        return x.to(to);
    }

    /** x cast to float32 when a scope is on and x is 16-bit; else x (null stays). */
    static Tensor widen(Tensor x) {
        return CURRENT.get() != null && x != null && x.dtype().isHalf() ? x.to(DType.FLOAT32) : x;
    }

    /** The dtype two floating operands meet in under autocast (the wider; two 16-bit ones: float32), or null. */
    static DType promote(Tensor a, Tensor b) {
        DType x = a.dtype();
        DType y = b.dtype();
        if (CURRENT.get() == null || x == y || !x.isFloatingPoint() || !y.isFloatingPoint()) {
            return null;
        }
        if (x == DType.FLOAT64 || y == DType.FLOAT64) {
            return DType.FLOAT64;
        }
        return DType.FLOAT32;   // float32 with a 16-bit dtype, or bfloat16 with float16
    }
}
