package dev.kiln.spi;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
 * counter-based generator every backend uses, so that one (seed, offset) gives the same numbers on
 * every device. Every word of a block is used: a block serves {@code per} elements (four float32
 * uniforms of one word each, two float64 uniforms of two words, two normals), and element {@code i}
 * of a random op with offset {@code o} takes word set {@code i % per} of the block at counter
 * {@code o + i / per}. An op still reserves one counter per element, so ops never share a block.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** The four 32-bit words for (seed, counter), written into out[0..3]. */
    public static void block(long seed, long counter, int[] out) {
        int c0 = (int) counter;
        int c1 = (int) (counter >>> 32);
        int c2 = 0;
        int c3 = 0;
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Uniform in [0, 1) with 24 random bits (float32 resolution) from one word. */
    public static double uniform24(int word) {
        return (word >>> 8) * 0x1.0p-24;
    }

    /** Uniform in [0, 1) with 53 random bits (float64 resolution) from two words. */
    public static double uniform53(int hi, int lo) {
        long bits = ((long) (hi >>> 5) << 26) | (lo >>> 6);
        return bits * 0x1.0p-53;
    }

    /** Standard normal j (0 or 1) by Box-Muller from the four words of one block: r cos(2 pi u2), then r sin(2 pi u2). */
    public static double normal(int[] w, int j) {
        double u1 = 1.0 - uniform53(w[0], w[1]); // (0, 1]: log is finite
        double u2 = uniform53(w[2], w[3]);
        double angle = 2.0 * Math.PI * u2;
        return Math.sqrt(-2.0 * Math.log(u1)) * (j == 0 ? Math.cos(angle) : Math.sin(angle));
    }
}
