package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** TransformerEncoder's causal flag (PyTorch's is_causal with the square subsequent mask) in every layer of the stack. */
class TransformerEncoderCausalTest {
    private static TransformerEncoder stack(Device d) {
        Generator g = new Generator(11);
        return new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16, 0, "gelu", 1e-5, true, true, g), 2,
                new LayerNorm(8)).to(DType.FLOAT64).to(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void causalEqualsTheSubsequentMaskAndHidesLaterPositions(TestDevice target) {
        Device d = target.use();
        TransformerEncoder enc = stack(d);
        Tensor x = Tensor.randn(new Generator(3), 2, 5, 8).to(DType.FLOAT64).to(d);           // (N, S, E)
        Tensor causal = enc.forward(x, null, null, true);
        Tensor mask = Transformer.generateSquareSubsequentMask(5, DType.FLOAT64, d);            // (S, S), -inf above
        Tolerances.STRICT.of(DType.FLOAT64).assertClose("causal vs mask", enc.forward(x, mask, null).to(Device.CPU),
                causal.to(Device.CPU));
        Tensor changed = x.clone();
        changed.narrow(1, 4, 1).fill_(3.0);                                                   // only the last position
        Tolerances.STRICT.of(DType.FLOAT64).assertClose("earlier positions", causal.narrow(1, 0, 4).to(Device.CPU),
                enc.forward(changed, null, null, true).narrow(1, 0, 4).to(Device.CPU));
    }
}
