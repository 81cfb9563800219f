package dev.kiln;

import dev.kiln.spi.Allocations;
import dev.kiln.spi.Storage;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Frees, on close, the storage of every tensor created on this thread while the scope was open, on
 * any device, except what was passed to {@link #keep} (kept storage joins the enclosing scope, if
 * any). A freed tensor is unusable everywhere: on a GPU its memory goes back to the allocator, on the
 * CPU its array is dropped; using it throws, naming the device and the tensor's dtype and size.
 * Model parameters, buffers and optimizer state are {@link #persist persisted}: they outlive every scope.
 * <pre>{@code try (MemoryScope scope = MemoryScope.open()) { Tensor y = f(x); return scope.keep(y); }}</pre>
 * Scopes belong to the thread that opened them and close innermost first.
 */
public final class MemoryScope implements AutoCloseable {
    private final Allocations.Frame frame;
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(Allocations.Frame frame) {
        this.frame = frame;
    }

    public static MemoryScope open() {
        return new MemoryScope(Allocations.push());
    }

    /** Makes t's storage outlive every scope open on this thread, as parameters and optimizer state do; returns t. */
    public static Tensor persist(Tensor t) {
        Allocations.persist(t.storage());
        return t;
    }

    /** Keeps t's storage alive past this scope; returns t. */
    public Tensor keep(Tensor t) {
        kept.add(t.storage());
        return t;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        Allocations.Frame enclosing = Allocations.pop(frame, "MemoryScope");
        closed = true;
        for (Storage s : frame.created()) {
            if (!kept.contains(s)) {
                s.release();
            } else if (enclosing != null) {
                enclosing.created().add(s);
            }
        }
    }
}
