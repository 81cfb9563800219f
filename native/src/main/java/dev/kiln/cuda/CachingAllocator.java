package dev.kiln.cuda;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Device memory by size class, stream-ordered: a freed block is cached and handed to a later
 * request of its class, on the stream that used it at once (that stream's order protects it), on
 * any other stream only once the events recorded at free time show every stream that used it has
 * passed that point. Out of memory waits for the device, empties the cache and retries, then
 * collects unreachable tensors and retries, then throws with the sizes involved.
 */
public final class CachingAllocator {
    private static final long SMALL = 512;              // classes of 512 B up to 1 MiB,
    private static final long LARGE = 1L << 20;         // then of 1 MiB
    /** Waits of 1, 2, ..., 256 ms for the collector's findings after out of memory, as java.nio.Bits. */
    private static final int MAX_SLEEPS = 9;

    private final DeviceApi api;
    private final Map<Long, ArrayDeque<Cached>> free = new HashMap<>();
    /** Events (without timing) no block is waiting on, kept to spare creating one per free. */
    private final ArrayDeque<Object> spareEvents = new ArrayDeque<>();
    private long allocated;
    private long peak;
    private long cached;
    private long allocations;
    private long deviceMallocs;

    /** A freed block and, per stream that used it, the event recorded there when it was freed. */
    private record Cached(long address, Map<CudaStream, Object> freedAt) {
        boolean readyFor(CudaStream stream, DeviceApi api) {
            for (Map.Entry<CudaStream, Object> e : freedAt.entrySet()) {
                if (e.getKey() != stream && !api.eventComplete(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
    }

    CachingAllocator(DeviceApi api) {
        this.api = api;
    }

    static long sizeClass(long bytes) {
        long unit = bytes < LARGE ? SMALL : LARGE;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    /**
     * A block of at least {@code bytes} for work on {@code stream}; returns its address. Free it with
     * {@link #free}. Out of memory empties the cache and retries; then, since unreachable tensors hold
     * device memory until the collector finds them, runs the collector, frees what it found and
     * retries with short waits for it (java.nio.Bits does the same for direct buffers); then throws.
     * The collection runs outside this allocator's lock: it frees blocks of every device.
     */
    long allocate(long bytes, CudaStream stream) {
        long size = sizeClass(bytes);
        long address = allocateOrEmptyCache(size, stream);
        if (address == 0) {
            System.gc();
            for (int sleeps = 0; address == 0 && sleeps <= MAX_SLEEPS; sleeps++) {
                CudaStorage.freeUnreachable();
                address = allocateOrEmptyCache(size, stream);
                if (address == 0 && (sleeps == MAX_SLEEPS || !pause(1L << sleeps))) {
                    break;
                }
            }
        }
        if (address == 0) {
            synchronized (this) {
                throw new CudaOutOfMemoryException(api.name() + ": out of memory allocating " + bytes + " bytes (block of "
                        + size + "); " + allocated + " bytes are in use by live tensors, the cache was emptied and "
                        + "unreachable tensors were collected");
            }
        }
        return address;
    }

    /** A cached or new block of class {@code size}, emptying the cache if the device is full; 0 if it still is. */
    private synchronized long allocateOrEmptyCache(long size, CudaStream stream) {
        long address = reuse(size, stream);
        if (address == 0) {
            address = api.malloc(size);
            if (address == 0) {
                emptyCache();
                address = api.malloc(size);
            }
            if (address == 0) {
                return 0;
            }
            deviceMallocs++;
        }
        allocations++;
        allocated += size;
        peak = Math.max(peak, allocated);
        return address;
    }

    /** Sleeps; false if interrupted (the interrupt is kept). */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A cached block of class {@code size} that work on {@code stream} may use now, or 0. */
    private long reuse(long size, CudaStream stream) {
        ArrayDeque<Cached> q = free.get(size);
        if (q == null) {
            return 0;
        }
        for (Iterator<Cached> it = q.iterator(); it.hasNext(); ) {
            Cached c = it.next();
            if (c.readyFor(stream, api)) {
                it.remove();
                cached -= size;
                spareEvents.addAll(c.freedAt.values());
                return c.address;
            }
        }
        return 0;
    }

    /**
     * Returns a block from {@link #allocate} (with the same requested size) to the cache; {@code usedOn}
     * are the streams whose work may still read or write it.
     */
    synchronized void free(long address, long bytes, Collection<CudaStream> usedOn) {
        long size = sizeClass(bytes);
        Map<CudaStream, Object> freedAt = new HashMap<>();
        for (CudaStream s : usedOn) {
            if (!s.isClosed()) {   // a closed stream's work has completed (close waits for it)
                Object event = spareEvents.isEmpty() ? api.createEvent(false) : spareEvents.pop();
                api.recordEvent(event, s.handle());
                freedAt.put(s, event);
            }
        }
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(new Cached(address, freedAt));
        allocated -= size;
        cached += size;
    }

    /** Waits for the device's work, then gives every cached block back to it. */
    public synchronized void emptyCache() {
        api.synchronize();
        free.forEach((size, q) -> q.forEach(c -> {
            api.free(c.address);
            spareEvents.addAll(c.freedAt.values());
        }));
        free.clear();
        cached = 0;
    }

    public synchronized AllocatorStats stats() {
        return new AllocatorStats(allocated, peak, cached, allocations, deviceMallocs);
    }
}
