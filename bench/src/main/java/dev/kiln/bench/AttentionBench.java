package dev.kiln.bench;

import dev.kiln.AttentionParams;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fused scaled-dot-product attention, float32, q, k, v (B, L, E) with B = 8 heads x batch, L = 256,
 * E = 64, causal or not: 2 B L^2 (E + E) FLOP forward (q k^T and p v; a causal mask skips no work in
 * this count, as FlashAttention's papers count), and 2 B L^2 (3E + 2E) backward (scores recomputed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AttentionBench {
    static final int B = 8;
    static final int L = 256;
    static final int E = 64;

    @Param({"false", "true"})
    public boolean causal;
    Tensor q;
    Tensor k;
    Tensor v;
    Tensor gOut;
    Tensor[] forward;
    AttentionParams p;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        q = Tensor.randn(g, B, L, E);
        k = Tensor.randn(g, B, L, E);
        v = Tensor.randn(g, B, L, E);
        gOut = Tensor.randn(g, B, L, E);
        p = AttentionParams.of(causal);
        forward = Functional.attentionForward(q, k, v, p);
    }

    @Benchmark
    public Tensor[] forward(Flops flops) {
        flops.gflops += 2.0 * B * L * L * (E + E) / 1e9;
        return Functional.attentionForward(q, k, v, p);
    }

    @Benchmark
    public Tensor[] backward(Flops flops) {
        flops.gflops += 2.0 * B * L * L * (3 * E + 2 * E) / 1e9;
        return Functional.attentionBackward(gOut, q, k, v, forward[0], forward[1], p);
    }
}
