package dev.kiln.bench;

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

/** float32 elementwise kernels on 4M elements (16 MiB per operand): bytes read + written per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ElementwiseBench {
    static final int N = 1 << 22;
    static final double OPERAND_GB = 4.0 * N / 1e9;

    Tensor a;
    Tensor b;

    @Setup
    public void setup() {
        Generator g = new Generator(0);
        a = Tensor.randn(g, N);
        b = Tensor.randn(g, N);
    }

    @Benchmark
    public Tensor add(Bytes bytes) {
        bytes.gbytes += 3 * OPERAND_GB;
        return a.add(b);
    }

    @Benchmark
    public Tensor relu(Bytes bytes) {
        bytes.gbytes += 2 * OPERAND_GB;
        return a.relu();
    }

    @Benchmark
    public Tensor exp(Bytes bytes) {
        bytes.gbytes += 2 * OPERAND_GB;
        return a.exp();
    }

    @Benchmark
    public Tensor sum(Bytes bytes) {
        bytes.gbytes += OPERAND_GB;
        return a.sum();
    }
}
