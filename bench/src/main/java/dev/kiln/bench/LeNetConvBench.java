package dev.kiln.bench;

import dev.kiln.Conv2dParams;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * LeNet's two 5x5 convolutions at batch 64, float32, with bias as nn.Conv2d has it: conv1 1 -> 6 channels
 * on (64, 1, 28, 28), pad 2; conv2 6 -> 16 on (64, 6, 14, 14), no pad. Few channels, so im2col's packing
 * weighs as much as the multiply-adds: the shapes issue 19 item 3 is about. Forward, backward-input
 * (conv2 only matters: LeNet's input needs no gradient) and backward-weight ({@link ConvBenchmark}).
 */
@State(Scope.Benchmark)
public class LeNetConvBench extends ConvBenchmark {
    @Param({"conv1", "conv2"})
    public String layer;

    @Setup
    public void setup() {
        boolean first = layer.equals("conv1");
        operands(64, first ? 1 : 6, first ? 28 : 14, first ? 6 : 16, 5, true, Conv2dParams.of(1, first ? 2 : 0, 1, 1));
    }
}
