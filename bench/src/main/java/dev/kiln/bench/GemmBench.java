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

/** Matrix products through Tensor.matmul on the CPU backend: square (n, n) @ (n, n), 2 n^3 FLOP each, and a linear layer's. */
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

    /**
     * The float32 products of the MLP 784-256-128-10 at batch 64, as Linear makes them: forward
     * x (64, in) @ W^T, and backward gy @ W (input gradient) and gy^T @ x (weight gradient), W (out, in); then an
     * attention head's Q K^T and P V (30 positions, head width 32) and an additive-attention score layer's weight and
     * input gradients (matrix-vector products). "m x k x n op": op nt = A @ B^T, nn = A @ B, tn = A^T @ B.
     */
    @State(Scope.Benchmark)
    public static class Linear {
        @Param({"64x784x256 nt", "64x256x784 nn", "256x64x784 tn", "64x256x128 nt", "64x128x256 nn", "128x64x256 tn",
            "64x128x10 nt", "64x10x128 nn", "10x64x128 tn", "30x32x30 nt", "30x30x32 nn", "128x1728x1 tn", "1728x128x1 nn"})
        public String shape;
        Tensor a;
        Tensor b;
        double flop;

        @Setup
        public void setup() {
            String[] parts = shape.split("[x ]");
            int m = Integer.parseInt(parts[0]);
            int k = Integer.parseInt(parts[1]);
            int n = Integer.parseInt(parts[2]);
            Generator g = new Generator(0);
            a = parts[3].charAt(0) == 't' ? Tensor.randn(g, k, m).t() : Tensor.randn(g, m, k);   // (m, k)
            b = parts[3].charAt(1) == 't' ? Tensor.randn(g, n, k).t() : Tensor.randn(g, k, n);   // (k, n)
            flop = 2.0 * m * n * k;
        }
    }

    @Benchmark
    public Tensor linear(Linear s, Flops flops) {
        flops.gflops += s.flop / 1e9;
        return s.a.matmul(s.b);
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
