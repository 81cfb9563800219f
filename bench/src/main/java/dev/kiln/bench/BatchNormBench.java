package dev.kiln.bench;

import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm2d;
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
 * BatchNorm2d in training on float32 x (64, C, H, H), resnet-small's three shapes (C 16, 32, 64 at H 28,
 * 14, 7): the forward (statistics, running-statistics update, normalisation) and forward + backward (the
 * input, weight and bias gradients), microseconds per call, each call in a MemoryScope as kiln train's
 * steps are (what it makes is released at its end, so the next call reuses the arrays). bench/scripts/batchnorm_vs_torch.sh prints
 * them beside PyTorch's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class BatchNormBench {
    private static final int BATCH = 64;

    @Param({"16", "32", "64"})
    public int channels;
    BatchNorm2d bn;
    Tensor x;
    Tensor gy;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        int h = 28 * 16 / channels;
        bn = new BatchNorm2d(channels);
        x = Tensor.randn(g, BATCH, channels, h, h).requiresGrad_(true);
        gy = Tensor.randn(g, BATCH, channels, h, h);
    }

    @Benchmark
    public int forward() {
        try (MemoryScope scope = MemoryScope.open()) {
            return bn.forward(x.detach()).dim();
        }
    }

    @Benchmark
    public int forwardBackward() {
        try (MemoryScope scope = MemoryScope.open()) {
            x.setGrad(null);
            bn.zeroGrad();
            bn.forward(x).backward(gy);
            return x.grad().dim();
        }
    }
}
