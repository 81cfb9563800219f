package dev.kiln.cli.bench;

/**
 * One kernel's result: its work per call (bytes moved for a memory-bound kernel, FLOP for a
 * compute-bound one) and its times; the rate and % of the matching ceiling come from the median.
 */
public record BenchRow(String kernel, boolean computeBound, double work, Samples samples) {
    /** Bytes per second or FLOP per second at the median time. */
    public double rate() {
        return work / samples.median();
    }

    public double percentOf(Ceilings c) {
        return 100 * rate() / (computeBound ? c.flopsPerSecond() : c.bytesPerSecond());
    }

    public String unit() {
        return computeBound ? "GFLOP/s" : "GB/s";
    }
}
