package dev.kiln.cuda;

/**
 * A snapshot of a device's caching allocator. Bytes are block sizes (requests rounded up to their
 * size class). {@code allocated}: held by live tensors; {@code peak}: the most ever allocated at
 * once; {@code cached}: freed blocks kept for reuse; {@code allocations}: blocks handed out in
 * total; {@code deviceMallocs}: of those, how many needed a new device allocation.
 */
public record AllocatorStats(long allocated, long peak, long cached, long allocations, long deviceMallocs) {
}
