package dev.kiln.cli.run;

import java.util.List;

/**
 * SplitMix64 (Steele, Lea and Flood 2014): a 64-bit counter mixed into each draw. Written here and in
 * scripts/workloads/gcn.py alike, so that `kiln run gcn` and its PyTorch twin draw the same graph from the same seed
 * (Kiln's Philox {@link dev.kiln.Generator} and torch's Mersenne Twister differ). Draw k (0-based) mixes
 * seed + (k + 1) * gamma, which lets the twin compute a slice of draws at once.
 */
final class SplitMix64 {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    SplitMix64(long seed) {
        state = seed;
    }

    long nextLong() {
        state += GAMMA;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The top 53 bits as a double in [0, 1): exact, so both languages get the same value. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A standard normal by Box-Muller from the next two draws (the cosine branch only: one normal per pair keeps the
     * count of draws simple). StrictMath, the same fdlibm results on every JVM; Python's math.log and math.cos agree
     * with it but in the last bit in rare cases, which the features' rounding to float32 hides.
     */
    double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /**
     * Shuffles list in place by Fisher-Yates: from the last position down, each swapped with one drawn at or below it
     * (a double times i + 1 floors alike in Python, so the twins shuffle alike).
     */
    <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = (int) (nextDouble() * (i + 1));
            list.set(j, list.set(i, list.get(j)));
        }
    }
}
