package dev.kiln.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory by size class: a freed block is cached and handed to the next request of its
 * class. All work goes to one stream, so a block reused after free is ordered after its last use.
 * Out of memory empties the cache and retries once, then throws with the sizes involved.
 */
public final class CachingAllocator {
    private static final long SMALL = 512;              // classes of 512 B up to 1 MiB,
    private static final long LARGE = 1L << 20;         // then of 1 MiB

    private final DeviceApi api;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long allocated;
    private long peak;
    private long cached;
    private long allocations;
    private long deviceMallocs;

    CachingAllocator(DeviceApi api) {
        this.api = api;
    }

    static long sizeClass(long bytes) {
        long unit = bytes < LARGE ? SMALL : LARGE;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    /** A block of at least {@code bytes}; returns its address. Free it with {@link #free}. */
    synchronized long allocate(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> q = free.get(size);
        long address;
        if (q != null && !q.isEmpty()) {
            address = q.pop();
            cached -= size;
        } else {
            address = api.malloc(size);
            if (address == 0) {
                emptyCache();
                address = api.malloc(size);
            }
            if (address == 0) {
                throw new CudaOutOfMemoryException(api.name() + ": out of memory allocating " + bytes + " bytes (block of "
                        + size + "); " + allocated + " bytes are in use by live tensors and the cache was emptied");
            }
            deviceMallocs++;
        }
        allocations++;
        allocated += size;
        peak = Math.max(peak, allocated);
        return address;
    }

    /** Returns a block from {@link #allocate} (with the same requested size) to the cache. */
    synchronized void free(long address, long bytes) {
        long size = sizeClass(bytes);
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(address);
        allocated -= size;
        cached += size;
    }

    /** Gives every cached block back to the device. */
    public synchronized void emptyCache() {
        free.forEach((size, q) -> q.forEach(api::free));
        free.clear();
        cached = 0;
    }

    public synchronized AllocatorStats stats() {
        return new AllocatorStats(allocated, peak, cached, allocations, deviceMallocs);
    }
}
