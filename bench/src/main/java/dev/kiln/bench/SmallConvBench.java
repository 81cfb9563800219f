package dev.kiln.bench;

import dev.kiln.Conv2dParams;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The 3x3 pad-1 convolutions of `kiln train`'s resnet-small and cnn models at batch 64, float32, no bias: shape
 * "CxOxH" + "s" stride, x (64, C, H, H), weight (O, C, 3, 3). Few channels on small images: the shapes between
 * LeNet's and Conv2dBench's, where the direct kernels and the GEMM path trade places with the vector width.
 * Forward, backward-input and backward-weight ({@link ConvBenchmark}).
 */
@State(Scope.Benchmark)
public class SmallConvBench extends ConvBenchmark {
    @Param({"16x16x28s1", "32x32x14s1", "64x64x7s1", "32x64x14s1", "16x32x28s2", "32x64x14s2"})
    public String shape;

    @Setup
    public void setup() {
        String[] dims = shape.split("[xs]");
        operands(64, Integer.parseInt(dims[0]), Integer.parseInt(dims[2]), Integer.parseInt(dims[1]), 3, false,
                Conv2dParams.of(Integer.parseInt(dims[3]), 1, 1, 1));
    }
}
