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
 * The 3x3 pad-1 convolutions of `kiln train`'s resnet-small and cnn models at batch 64, float32, no bias: shape
 * "CxOxH" + "s" stride, x (64, C, H, H), weight (O, C, 3, 3). Forward, backward-input and backward-weight, each
 * 2 * N * O * OH * OW * C * 9 FLOP. Few channels on small images: the shapes between LeNet's and Conv2dBench's,
 * where the direct kernels and the GEMM path trade places with the vector width.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SmallConvBench {
    static final int N = 64;

    @Param({"16x16x28s1", "32x32x14s1", "64x64x7s1", "32x64x14s1", "16x32x28s2", "32x64x14s2"})
    public String shape;

    Tensor x;
    Tensor w;
    Tensor gy;
    Conv2dParams p;
    double gflop;

    @Setup
    public void setup() {
        String[] dims = shape.split("[xs]");
        int c = Integer.parseInt(dims[0]);
        int o = Integer.parseInt(dims[1]);
        int h = Integer.parseInt(dims[2]);
        int stride = Integer.parseInt(dims[3]);
        p = Conv2dParams.of(stride, 1, 1, 1);
        int oh = p.outH(h, 3);
        Generator g = new Generator(0);
        x = Tensor.randn(g, N, c, h, h);
        w = Tensor.randn(g, o, c, 3, 3);
        gy = Tensor.randn(g, N, o, oh, oh);
        gflop = 2.0 * N * o * oh * oh * c * 9 / 1e9;
    }

    @Benchmark
    public Tensor forward(Flops flops) {
        flops.gflops += gflop;
        return Functional.conv2d(x, w, null, p);
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
