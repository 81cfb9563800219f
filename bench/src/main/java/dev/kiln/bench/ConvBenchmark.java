package dev.kiln.bench;

import dev.kiln.Conv2dParams;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three conv2d benchmarks every convolution benchmark runs on its shapes: forward, backward-input and
 * backward-weight, float32, each 2 * N * O * OH * OW * (C / groups) * KH * KW FLOP, reported as GFLOP/s. A subclass
 * sets the operands in its JMH setup through {@link #operands}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public abstract class ConvBenchmark {
    Tensor x;
    Tensor w;
    Tensor b;
    Tensor gy;
    Conv2dParams p;
    double gflop;

    /** x (n, c, h, h), weight (o, c, k, k), with a bias or not, random from seed 0; y's gradient of y's shape. */
    void operands(int n, int c, int h, int o, int k, boolean bias, Conv2dParams params) {
        p = params;
        int oh = p.outH(h, k);
        Generator g = new Generator(0);
        x = Tensor.randn(g, n, c, h, h);
        w = Tensor.randn(g, o, c, k, k);
        b = bias ? Tensor.randn(g, o) : null;
        gy = Tensor.randn(g, n, o, oh, oh);
        gflop = 2.0 * n * o * oh * oh * c * k * k / 1e9;
    }

    @Benchmark
    public Tensor forward(Flops flops) {
        flops.gflops += gflop;
        return Functional.conv2d(x, w, b, p);
    }

    @Benchmark
    public Tensor backwardInput(Flops flops) {
        flops.gflops += gflop;
        return Functional.conv2dBackwardInput(gy, w, x.shape(), p);
    }

    @Benchmark
    public Tensor backwardWeight(Flops flops) {
        flops.gflops += gflop;
        return Functional.conv2dBackwardWeight(gy, x, w.shape(), p);
    }
}
