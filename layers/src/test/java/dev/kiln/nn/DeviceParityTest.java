package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Layers that build constants (BatchNorm's num_batches_tracked + 1, Embedding's padding row,
 * MultiheadAttention's masks) train on every device as on the CPU: same outputs, gradients and
 * buffers. Before the 0-d scalar rule they failed on cuda-emu and cuda at the first batch
 * ({@code kiln train --model resnet-small --device cuda}).
 */
class DeviceParityTest {
    /** Runs one training step of {@code model} on {@code device}; returns the state dict, gradients and loss. */
    private static <M extends Module> Map<String, Tensor> step(M model, BiFunction<M, Device, Tensor> loss, Device device) {
        model.to(device).train();
        Tensor l = loss.apply(model, device);
        l.backward();
        Map<String, Tensor> out = new java.util.TreeMap<>(model.stateDict());
        model.namedParameters().forEach((name, p) -> out.put(name + ".grad", p.grad()));
        out.put("loss", l.detach());
        return out;
    }

    private static void assertSameStep(Map<String, Tensor> cpu, Map<String, Tensor> dev, Device device) {
        assertEquals(cpu.keySet(), dev.keySet());
        cpu.forEach((name, expected) -> {
            Tensor actual = dev.get(name);
            assertEquals(device, actual.device(), name + " device");
            Tolerances.PERMISSIVE.of(DType.FLOAT32).assertClose(name, expected, actual.to(Device.CPU));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void residualNetWithBatchNormTrainsLikeOnTheCpu(TestDevice target) {
        Device device = target.use();
        Tensor x = Tensor.randn(new Generator(3), 4, 1, 12, 12); // (N, 1, H, W)
        Tensor y = Tensor.fromArray(new long[] {1, 0, 3, 2}, 4);
        BiFunction<Layer, Device, Tensor> loss = (m, d) -> new CrossEntropyLoss().forward(m.forward(x.to(d)), y.to(d));
        Map<String, Tensor> cpu = step(resnetSmall(new Generator(21)), loss, Device.CPU);
        Map<String, Tensor> dev = step(resnetSmall(new Generator(21)), loss, device);
        assertSameStep(cpu, dev, device);
        assertEquals(1.0, dev.get("1.num_batches_tracked").item());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void embeddingWithPaddingIdxTrainsLikeOnTheCpu(TestDevice target) {
        Device device = target.use();
        Tensor idx = Tensor.fromArray(new long[] {0, 2, 1, 2, 0, 3}, 2, 3);
        BiFunction<Embedding, Device, Tensor> loss = (m, d) -> m.forward(idx.to(d)).square().sum();
        Map<String, Tensor> cpu = step(new Embedding(4, 5, 2, new Generator(7)), loss, Device.CPU);
        Map<String, Tensor> dev = step(new Embedding(4, 5, 2, new Generator(7)), loss, device);
        assertSameStep(cpu, dev, device);
        assertEquals(0.0, dev.get("weight.grad").select(0, 2).abs().sum().item()); // no gradient to the padding row
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void multiheadAttentionWithBothMasksTrainsLikeOnTheCpu(TestDevice target) {
        Device device = target.use();
        Tensor x = Tensor.randn(new Generator(11), 2, 5, 8); // (N, L, E), batch first
        Tensor padding = Tensor.fromArray(new boolean[] {false, false, false, true, true, false, false, false, false, true}, 2, 5);
        Tensor additive = Tensor.randn(new Generator(12), 5, 5); // (L, S) float mask
        BiFunction<MultiheadAttention, Device, Tensor> loss = (m, d) ->
                m.forward(x.to(d), x.to(d), x.to(d), padding.to(d), additive.to(d), false).square().mean();
        Map<String, Tensor> cpu = step(new MultiheadAttention(8, 2, true, true, new Generator(13)), loss, Device.CPU);
        Map<String, Tensor> dev = step(new MultiheadAttention(8, 2, true, true, new Generator(13)), loss, device);
        assertSameStep(cpu, dev, device);
    }

    /** kiln train's resnet-small, smaller: a stem conv + BatchNorm, two basic residual blocks. */
    private static Layer resnetSmall(Generator g) {
        return new Sequential(new Conv2d(1, 8, 3, 1, 1, 1, 1, false, g), new BatchNorm2d(8), new ReLU(),
                ResidualBlock.basic(8, 8, 1, g), ResidualBlock.basic(8, 16, 2, g),
                new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(16, 4, g));
    }
}
