package dev.kiln.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A JMH secondary counter: benchmarks add the GFLOP each call performs, and in throughput mode
 * with seconds as the time unit JMH reports it as GFLOP/s (the "gflops" line of the results).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
    public double gflops;

    @Setup(Level.Iteration)
    public void reset() {
        gflops = 0;
    }
}
