package dev.kiln.spi;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The per-thread stack of open memory scopes ({@code dev.kiln.MemoryScope}) that backends report
 * their new storages to; the top scope owns what is made while it is open.
 */
public final class Allocations {
    private static final ThreadLocal<ArrayDeque<Frame>> FRAMES = ThreadLocal.withInitial(ArrayDeque::new);
    /** Scopes open on any thread: a backend's allocation reads only this while none is. */
    private static volatile int open;

    /** One scope's storages. */
    public static final class Frame {
        private final Set<Storage> created = Collections.newSetFromMap(new IdentityHashMap<>());

        /** The storages this scope owns. */
        public Set<Storage> created() {
            return created;
        }
    }

    private Allocations() {
    }

    /** Backends call this for every storage they allocate. */
    public static void created(Storage s) {
        if (open == 0) {
            return;
        }
        Frame top = FRAMES.get().peek();
        if (top != null) {
            top.created.add(s);
        }
    }

    /** Makes s outlive every scope open on this thread (model parameters, optimizer state). */
    public static void persist(Storage s) {
        if (open == 0) {
            return;
        }
        for (Frame f : FRAMES.get()) {
            f.created.remove(s);
        }
    }

    public static Frame push() {
        Frame f = new Frame();
        FRAMES.get().push(f);
        synchronized (Allocations.class) {
            open++;
        }
        return f;
    }

    /** Pops f, which must be this thread's top frame; returns the frame below it (null if none). */
    public static Frame pop(Frame f, String owner) {
        ArrayDeque<Frame> frames = FRAMES.get();
        if (frames.peek() != f) {
            throw new IllegalStateException(owner + ": scopes must be closed innermost first, on the thread that opened them");
        }
        frames.pop();
        synchronized (Allocations.class) {
            open--;
        }
        return frames.peek();
    }
}
