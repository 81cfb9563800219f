package dev.kiln.bench;

import dev.kiln.Conv2dParams;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The convolutions of the course workloads (issue 17), float32, no bias, padding 1: `kiln run ddpm`'s U-Net at batch
 * 128 (3x3, stride 1 and its stride-2 downsampling) and `kiln run gan`'s DCGAN at batch 64 (4x4 stride 2). Shape
 * "NxCxOxHxK" + "s" stride: x (N, C, H, H), weight (O, C, K, K). Forward, backward-input and backward-weight
 * ({@link ConvBenchmark}); bench/scripts/torch_cpu_bench.py times the same in PyTorch.
 */
@State(Scope.Benchmark)
public class CourseConvBench extends ConvBenchmark {
    @Param({"128x32x32x28x3s1", "128x32x32x28x3s2", "128x64x64x14x3s1", "128x64x64x14x3s2", "128x128x64x14x3s1",
            "128x64x128x7x3s1", "64x64x128x14x4s2", "64x128x64x7x4s2"})
    public String shape;

    @Setup
    public void setup() {
        String[] dims = shape.split("[xs]");
        operands(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[3]), Integer.parseInt(dims[2]),
                Integer.parseInt(dims[4]), false, Conv2dParams.of(Integer.parseInt(dims[5]), 1, 1, 1));
    }
}
