package dev.kiln.bench;

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
 * softmax / log-softmax of float32 (4096, 1024) along dim 1 (rows) or 0 (columns), and the backward:
 * bytes read + written per call (forward: x in, y out; backward: gy and y in, gx out).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SoftmaxBench {
    static final int ROWS = 4096;
    static final int COLS = 1024;
    static final double TENSOR_GB = 4.0 * ROWS * COLS / 1e9;

    @Param({"1", "0"})
    public int dim;
    Tensor x;
    Tensor y;
    Tensor gy;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        x = Tensor.randn(g, ROWS, COLS);
        gy = Tensor.randn(g, ROWS, COLS);
        y = Functional.softmax(x, dim);
    }

    @Benchmark
    public Tensor softmax(Bytes bytes) {
        bytes.gbytes += 2 * TENSOR_GB;
        return Functional.softmax(x, dim);
    }

    @Benchmark
    public Tensor logSoftmax(Bytes bytes) {
        bytes.gbytes += 2 * TENSOR_GB;
        return Functional.logSoftmax(x, dim);
    }

    @Benchmark
    public Tensor softmaxBackward(Bytes bytes) {
        bytes.gbytes += 3 * TENSOR_GB;
        return Functional.softmaxBackward(gy, y, dim);
    }
}
