package dev.kiln.cuda;

import dev.kiln.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Frees, on close, the device storage of every tensor created on this thread while the scope was
 * open, except what was passed to {@link #keep} (kept storage joins the enclosing scope, if any).
 * <pre>{@code try (MemoryScope scope = MemoryScope.open()) { Tensor y = f(x); return scope.keep(y); }}</pre>
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<MemoryScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<CudaStorage> created = new ArrayList<>();
    private final Set<CudaStorage> kept = Collections.newSetFromMap(new IdentityHashMap<>());

    private MemoryScope() {
    }

    public static MemoryScope open() {
        MemoryScope s = new MemoryScope();
        OPEN.get().push(s);
        return s;
    }

    static void track(CudaStorage storage) {
        MemoryScope s = OPEN.get().peek();
        if (s != null) {
            s.created.add(storage);
        }
    }

    /** Keeps t's storage alive past this scope; returns t. */
    public Tensor keep(Tensor t) {
        if (t.storage() instanceof CudaStorage c) {
            kept.add(c);
        }
        return t;
    }

    @Override
    public void close() {
        ArrayDeque<MemoryScope> open = OPEN.get();
        if (open.peek() != this) {
            throw new IllegalStateException("MemoryScope: scopes must be closed innermost first, on the thread that opened them");
        }
        open.pop();
        MemoryScope parent = open.peek();
        for (CudaStorage c : created) {
            if (!kept.contains(c)) {
                c.release();
            } else if (parent != null) {
                parent.created.add(c);
            }
        }
    }
}
