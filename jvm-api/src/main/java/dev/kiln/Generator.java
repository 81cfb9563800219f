package dev.kiln;

/**
 * A seedable source of random numbers: a Philox4x32-10 key (the seed) and a counter (the offset).
 * Each random op reserves a range of counters, so results depend only on (seed, offset, shape) and
 * are the same on every device — the CPU and CUDA backends evaluate the same counter-based function.
 */
public final class Generator {
    /** PyTorch's default seed, so an unseeded program is reproducible from run to run, as torch's is. */
    public static final long DEFAULT_SEED = 67280421310721L;
    private static final Generator DEFAULT = new Generator(DEFAULT_SEED);

    private long seed;
    private long offset;

    public Generator(long seed) {
        manualSeed(seed);
    }

    /**
     * The generator random functions use when none is given, as torch.default_generator; seed it with
     * {@code Generator.defaultGenerator().manualSeed(s)} (torch.manual_seed).
     */
    public static Generator defaultGenerator() {
        return DEFAULT;
    }

    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        this.offset = 0;
        return this;
    }

    public synchronized long seed() {
        return seed;
    }

    public synchronized long offset() {
        return offset;
    }

    /** Reserves {@code count} counters and returns the first one. */
    public synchronized long reserve(long count) {
        long start = offset;
        offset += count;
        return start;
    }
}
