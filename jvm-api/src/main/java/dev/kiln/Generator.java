package dev.kiln;

/**
 * A seedable source of random numbers: a Philox4x32-10 key (the seed) and a counter (the offset).
 * Each random op reserves a range of counters, so results depend only on (seed, offset, shape) and
 * are the same on every device — the CPU and CUDA backends evaluate the same counter-based function.
 */
public final class Generator {
    private long seed;
    private long offset;

    public Generator(long seed) {
        manualSeed(seed);
    }

    public Generator manualSeed(long seed) {
        this.seed = seed;
        this.offset = 0;
        return this;
    }

    public long seed() {
        return seed;
    }

    public long offset() {
        return offset;
    }

    /** Reserves {@code count} counters and returns the first one. */
    public synchronized long reserve(long count) {
        long start = offset;
        offset += count;
        return start;
    }
}
