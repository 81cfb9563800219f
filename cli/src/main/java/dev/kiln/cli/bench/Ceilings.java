package dev.kiln.cli.bench;

import dev.kiln.DeviceProperties;

/**
 * The roofline kiln bench rates kernels against. A device whose specification gives its peaks (a GPU:
 * {@link DeviceProperties}) is rated against them; elsewhere (the CPU, and the emulator, which runs on it) the
 * ceilings are measured as the Empirical Roofline Toolkit does: the memory ceiling is the bandwidth of a plain
 * array copy (bytes read + written per second), the compute ceiling the float32 FLOP/s of independent fused
 * multiply-add chains on each thread of the kernels' team.
 *
 * @param measured whether the ceilings were measured here (else read from the specification)
 */
public record Ceilings(double bytesPerSecond, double flopsPerSecond, boolean measured) {
    private static final int ELEMENTS = 1024; // 4 KiB: stays in L1

    /** The specification's peaks of a device that gives both, else the ceilings of a team of threads measured here. */
    public static Ceilings of(DeviceProperties device, int threads) {
        if (device.specMemoryBandwidth() > 0 && device.specFloat32Flops() > 0) {
            return new Ceilings(device.specMemoryBandwidth(), device.specFloat32Flops(), false);
        }
        return measure(threads);
    }

    /** The ceilings of a team of threads (the copy is single-threaded, as System.arraycopy is). */
    public static Ceilings measure(int threads) {
        return new Ceilings(copyBandwidth(), fmaPeak(threads), true);
    }

    /** How the ceilings were found, for the report's header. */
    public String source() {
        return measured ? "measured here: memory %.1f GB/s (array copy), compute %.1f GFLOP/s (float32 FMA)"
                : "from the device's specification: memory %.1f GB/s (memory clock x bus width), compute %.1f GFLOP/s"
                        + " (float32 FMA at the boost clock)";
    }

    private static double copyBandwidth() {
        float[] src = new float[1 << 23];
        float[] dst = new float[src.length];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        long start = System.nanoTime();
        int reps = 20;
        for (int i = 0; i < reps; i++) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        return 2.0 * 4 * src.length * reps / ((System.nanoTime() - start) / 1e9);
    }

    /** Every thread runs the FMA loop on its own array (vectorised by the JIT); the best of three runs. */
    private static double fmaPeak(int threads) {
        double best = 0;
        for (int run = 0; run < 3; run++) {
            long start = System.nanoTime();
            long flops = java.util.stream.IntStream.range(0, threads).parallel().mapToLong(t -> fmaLoop()).sum();
            best = Math.max(best, flops / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }

    /**
     * Eight chained y = y * a + b per element of a cache-resident array, repeated: the JIT vectorises
     * across elements, and the loads and stores are few enough for the FMA units to be the limit.
     */
    private static long fmaLoop() {
        float[] y = new float[ELEMENTS];
        java.util.Arrays.fill(y, 1f);
        float a = 0.999f;
        float b = 0.001f;
        int passes = 40_000;
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < y.length; i++) {
                float v = y[i];
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                v = Math.fma(v, a, b);
                y[i] = Math.fma(v, a, b);
            }
        }
        if (y[0] == 42f) { // keeps the loop from being removed as dead code
            System.out.print("");
        }
        return 2L * 8 * y.length * passes;
    }
}
