package dev.kiln.bench;

import dev.kiln.DType;
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

/** Square matrix products (n, n) @ (n, n) through Tensor.matmul on the CPU backend: 2 n^3 FLOP each. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GemmBench {
    /** float32 operands. */
    @State(Scope.Benchmark)
    public static class Float32 {
        @Param({"1024", "2048"})
        public int n;
        Tensor a;
        Tensor b;

        @Setup
        public void setup() {
            Generator g = new Generator(0);
            a = Tensor.randn(g, n, n);
            b = Tensor.randn(g, n, n);
        }
    }

    /** float64 operands. */
    @State(Scope.Benchmark)
    public static class Float64 {
        @Param({"1024"})
        public int n;
        Tensor a;
        Tensor b;

        @Setup
        public void setup() {
            Generator g = new Generator(0);
            a = Tensor.randn(g, n, n).to(DType.FLOAT64);
            b = Tensor.randn(g, n, n).to(DType.FLOAT64);
        }
    }

    @Benchmark
    public Tensor sgemm(Float32 s, Flops flops) {
        flops.gflops += 2.0 * s.n * s.n * s.n / 1e9;
        return s.a.matmul(s.b);
    }

    @Benchmark
    public Tensor dgemm(Float64 s, Flops flops) {
        flops.gflops += 2.0 * s.n * s.n * s.n / 1e9;
        return s.a.matmul(s.b);
    }
}
