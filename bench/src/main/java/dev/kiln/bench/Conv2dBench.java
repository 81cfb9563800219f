package dev.kiln.bench;

import dev.kiln.Conv2dParams;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * conv2d 64 -> 64 channels, 3x3, stride 1, pad 1, no bias, float32, on x (16, 64, 56, 56) (a
 * ResNet stage-1 layer): forward, backward-input and backward-weight ({@link ConvBenchmark}).
 */
@State(Scope.Benchmark)
public class Conv2dBench extends ConvBenchmark {
    @Setup
    public void setup() {
        operands(16, 64, 56, 64, 3, false, Conv2dParams.of(1, 1, 1, 1));
    }
}
