package dev.kiln;

/**
 * A device's memory, as torch.cuda.memory_stats' main counters: bytes held by live tensors
 * (allocated), the most ever held at once (peak), bytes the device's caching allocator keeps for reuse
 * (cached) and the number of storages allocated so far. CPU tensors live on the JVM heap, so for the CPU
 * the bytes are the heap's: used, the heap pools' peaks, and committed but unused.
 */
public record MemoryStats(long allocatedBytes, long peakBytes, long cachedBytes, long allocations) {
}
