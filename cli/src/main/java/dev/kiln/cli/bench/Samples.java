package dev.kiln.cli.bench;

import java.util.Arrays;

/** Timed calls of one kernel, in seconds: min, median and 90th percentile (nearest rank) over count calls. */
public record Samples(double min, double median, double p90, int count) {
    static Samples of(long[] nanos) {
        long[] t = nanos.clone();
        Arrays.sort(t);
        int p90 = Math.min(t.length - 1, (int) Math.ceil(0.9 * t.length) - 1);
        return new Samples(t[0] / 1e9, t[t.length / 2] / 1e9, t[p90] / 1e9, t.length);
    }
}
