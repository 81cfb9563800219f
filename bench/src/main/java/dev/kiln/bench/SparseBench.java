package dev.kiln.bench;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.SparseMatrix;
import dev.kiln.SparsePattern;
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
 * A graph convolution's products in float32: a (20000, 20000) sparse matrix with 16 random columns per
 * row (320k entries) times x (20000, 64), its transpose times x (the backward's product), and the sampled
 * product at its pattern (the values' gradient). GFLOP/s counts 2 FLOPs per entry and column.
 * torch_cpu_bench.py times torch.sparse.mm and sampled_addmm on the same shapes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SparseBench {
    static final int NODES = 20000;
    static final int DEGREE = 16;
    static final int FEATURES = 64;
    static final double GFLOP = 2.0 * NODES * DEGREE * FEATURES / 1e9;

    SparseMatrix a;
    SparseMatrix at;
    SparsePattern pattern;
    Tensor x;
    Tensor g;

    @Setup
    public void setup() {
        Generator gen = new Generator(0);
        int nnz = NODES * DEGREE;
        Tensor rows = Tensor.arange(0, NODES, 1.0 / DEGREE, DType.FLOAT64, Device.CPU).floor().to(DType.INT64);  // (nnz)
        Tensor cols = Tensor.randint(gen, 0, NODES, new int[] {nnz}, Device.CPU);
        a = SparseMatrix.coo(Tensor.stack(new Tensor[] {rows, cols}, 0), Tensor.randn(gen, nnz), NODES, NODES);
        at = a.t();
        pattern = a.pattern();
        x = Tensor.randn(gen, NODES, FEATURES);
        g = Tensor.randn(gen, NODES, FEATURES);
    }

    @Benchmark
    public Tensor sparseMm(Flops flops) {
        flops.gflops += GFLOP;
        return a.mm(x);
    }

    @Benchmark
    public Tensor sparseMmTransposed(Flops flops) {
        flops.gflops += GFLOP;
        return at.mm(g);
    }

    @Benchmark
    public Tensor sampledMm(Flops flops) {
        flops.gflops += GFLOP;
        return SparseMatrix.sampledMm(pattern, g, x.t()).values();
    }
}
