package dev.kiln.bench;

import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
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
 * 2x2 / stride-2 pooling of float32 x (64, 32, 28, 28), as LeNet-style networks use: bytes per call are
 * the input read plus the outputs written (max pooling also writes int64 indices).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Pool2dBench {
    static final int N = 64;
    static final int C = 32;
    static final int H = 28;
    static final double IN_ELEMENTS = (double) N * C * H * H;
    static final double OUT_ELEMENTS = IN_ELEMENTS / 4;
    static final Pool2dParams P = Pool2dParams.of(2);

    Tensor x;
    Tensor gy;
    Tensor indices;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        x = Tensor.randn(g, N, C, H, H);
        gy = Tensor.randn(g, N, C, H / 2, H / 2);
        indices = Functional.maxPool2dWithIndices(x, P)[1];
    }

    @Benchmark
    public Tensor[] maxPool(Bytes bytes) {
        bytes.gbytes += (4 * IN_ELEMENTS + (4 + 8) * OUT_ELEMENTS) / 1e9;
        return Functional.maxPool2dWithIndices(x, P);
    }

    @Benchmark
    public Tensor maxPoolBackward(Bytes bytes) {
        bytes.gbytes += ((4 + 8) * OUT_ELEMENTS + 4 * IN_ELEMENTS) / 1e9;
        return Functional.maxPool2dBackward(gy, indices, x.shape(), P);
    }

    @Benchmark
    public Tensor avgPool(Bytes bytes) {
        bytes.gbytes += (4 * IN_ELEMENTS + 4 * OUT_ELEMENTS) / 1e9;
        return Functional.avgPool2d(x, P);
    }
}
