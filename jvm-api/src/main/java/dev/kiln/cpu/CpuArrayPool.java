package dev.kiln.cpu;

import dev.kiln.DType;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU backend's caching allocator: arrays of storages released early (a MemoryScope's end,
 * Tensor.close()) wait here, by dtype and length, for the next allocation of that size, as freed
 * blocks wait in PyTorch's allocators. A training step releases and reallocates the same sizes every
 * step, so its arrays stay warm in cache and the heap's young generation fills far more slowly: on
 * the development VM a fresh 4 KiB page of heap costs a page fault, and an MLP's first epoch spent
 * two of its four seconds faulting in ~660 MB of new young generation.
 *
 * <p>Arrays under {@link #MIN_BYTES} are not kept (the JVM allocates those from its thread-local buffer
 * faster than a lookup here). The pool holds at most {@code kiln.cpu.cacheBytes} bytes (default: an
 * eighth of the maximum heap, at most 1 GiB; 0 turns it off); an array that would exceed it is left to
 * the garbage collector. Arrays are held by soft references, so the collector takes them back before
 * it would run out of heap: the pool never causes an OutOfMemoryError. Arrays handed out are zeroed,
 * as new ones are.
 */
final class CpuArrayPool {
    /** Smallest array kept, in bytes. */
    static final int MIN_BYTES = 4096;
    private static final long LIMIT = limit();

    private static final Map<Long, ArrayDeque<Cached>> FREE = new HashMap<>();
    private static final ReferenceQueue<Object> CLEARED = new ReferenceQueue<>();
    private static long cached;

    /** A pooled array, softly held; its size is kept for the accounting once the collector clears it. */
    private static final class Cached extends SoftReference<Object> {
        final long key;
        final long bytes;

        Cached(Object array, long key, long bytes) {
            super(array, CLEARED);
            this.key = key;
            this.bytes = bytes;
        }
    }

    private CpuArrayPool() {
    }

    /** An array of size elements of dtype from the pool (zeroed if asked), or null if it has none. */
    static Object take(DType dtype, int size, boolean zeroed) {
        if ((long) size * dtype.byteSize() < MIN_BYTES) {
            return null;
        }
        Object a = null;
        synchronized (FREE) {
            forgetCleared();
            ArrayDeque<Cached> q = FREE.get(key(dtype, size));
            while (a == null && q != null && !q.isEmpty()) {
                Cached c = q.poll();
                a = c.get();
                c.clear(); // no longer pooled: keep it off the cleared queue
                cached -= c.bytes;
            }
        }
        if (a != null && zeroed) {
            zero(a);
        }
        return a;
    }

    /** Keeps array (owned by a released storage, referenced nowhere else) for a later take, if it fits. */
    static void give(DType dtype, Object array, int size) {
        long bytes = (long) size * dtype.byteSize();
        if (bytes < MIN_BYTES) {
            return;
        }
        synchronized (FREE) {
            forgetCleared();
            if (cached + bytes > LIMIT) {
                return;
            }
            long key = key(dtype, size);
            FREE.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Cached(array, key, bytes));
            cached += bytes;
        }
    }

    /** Bytes held for reuse now. */
    static long cachedBytes() {
        synchronized (FREE) {
            return cached;
        }
    }

    /** Drops every array held, for the garbage collector. */
    static void clear() {
        synchronized (FREE) {
            FREE.values().forEach(q -> q.forEach(Reference::clear));
            FREE.clear();
            cached = 0;
        }
    }

    /** Takes the arrays the collector cleared out of the pool and its count; called holding FREE's lock. */
    private static void forgetCleared() {
        for (Reference<?> r; (r = CLEARED.poll()) != null; ) {
            Cached c = (Cached) r;
            ArrayDeque<Cached> q = FREE.get(c.key);
            if (q != null && q.remove(c)) {
                cached -= c.bytes;
            }
        }
    }

    private static long key(DType dtype, int size) {
        return (long) size << 4 | dtype.ordinal(); // fewer than 16 dtypes
    }

    private static void zero(Object a) {
        if (a instanceof float[] f) {
            Arrays.fill(f, 0f);
        } else if (a instanceof double[] d) {
            Arrays.fill(d, 0d);
        } else if (a instanceof long[] l) {
            Arrays.fill(l, 0L);
        } else if (a instanceof short[] h) {
            Arrays.fill(h, (short) 0);
        } else {
            Arrays.fill((boolean[]) a, false);
        }
    }

    private static long limit() {
        String v = System.getProperty("kiln.cpu.cacheBytes");
        if (v == null) {
            return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8);
        }
        try {
            long bytes = Long.parseLong(v.trim());
            if (bytes >= 0) {
                return bytes;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("kiln.cpu.cacheBytes: expected a number of bytes >= 0, got '" + v + "'");
    }
}
