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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * conv2d 64 -> 64 channels, 3x3, stride 1, pad 1, no bias, float32, on x (16, 64, 56, 56) (a
 * ResNet stage-1 layer): forward, backward-input and backward-weight, each
 * 2 * N * O * OH * OW * C * 3 * 3 FLOP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Conv2dBench {
    static final int N = 16;
    static final int C = 64;
    static final int O = 64;
    static final int H = 56;
    static final int K = 3;
    static final double GFLOP = 2.0 * N * O * H * H * C * K * K / 1e9;
    static final Conv2dParams P = Conv2dParams.of(1, 1, 1, 1);

    Tensor x;
    Tensor w;
    Tensor gy;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        x = Tensor.randn(g, N, C, H, H);
        w = Tensor.randn(g, O, C, K, K);
        gy = Tensor.randn(g, N, O, H, H);
    }

    @Benchmark
    public Tensor forward(Flops flops) {
        flops.gflops += GFLOP;
        return Functional.conv2d(x, w, null, P);
    }

    @Benchmark
    public Tensor backwardInput(Flops flops) {
        flops.gflops += GFLOP;
        return Functional.conv2dBackwardInput(gy, w, x.shape(), P);
    }

    @Benchmark
    public Tensor backwardWeight(Flops flops) {
        flops.gflops += GFLOP;
        return Functional.conv2dBackwardWeight(gy, x, w.shape(), P);
    }
}
