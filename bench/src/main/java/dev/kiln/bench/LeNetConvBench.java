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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * LeNet's two 5x5 convolutions at batch 64, float32, with bias as nn.Conv2d has it: conv1 1 -> 6 channels
 * on (64, 1, 28, 28), pad 2; conv2 6 -> 16 on (64, 6, 14, 14), no pad. Few channels, so im2col's packing
 * weighs as much as the multiply-adds: the shapes issue 19 item 3 is about. Forward, backward-input
 * (conv2 only: LeNet's input needs no gradient) and backward-weight, each 2 * N * O * OH * OW * C * 25 FLOP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LeNetConvBench {
    static final int N = 64;
    static final int K = 5;

    @Param({"conv1", "conv2"})
    public String layer;

    Tensor x;
    Tensor w;
    Tensor b;
    Tensor gy;
    Conv2dParams p;
    double gflop;

    @Setup
    public void setup() {
        boolean first = layer.equals("conv1");
        int c = first ? 1 : 6;
        int o = first ? 6 : 16;
        int h = first ? 28 : 14;
        int pad = first ? 2 : 0;
        int oh = h + 2 * pad - K + 1;
        Generator g = new Generator(0);
        x = Tensor.randn(g, N, c, h, h);
        w = Tensor.randn(g, o, c, K, K);
        b = Tensor.randn(g, o);
        gy = Tensor.randn(g, N, o, oh, oh);
        p = Conv2dParams.of(1, pad, 1, 1);
        gflop = 2.0 * N * o * oh * oh * c * K * K / 1e9;
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
