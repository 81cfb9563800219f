package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.nn.summary.ModelSummary;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** adaptive_avg_pool2d at the edges of its sizes, as PyTorch 1.13 (python lines quoted). */
class AdaptiveAvgPoolSizesTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void outputSizeZero_givesAnEmptyOutput(TestDevice target) {
        Device d = target.use();
        Tensor x = Tensor.ones(new int[] {1, 2, 4, 4}, DType.FLOAT32, d).requiresGrad_(true);
        // F.adaptive_avg_pool2d(torch.randn(1, 2, 4, 4), (0, 2)).shape -> [1, 2, 0, 2]; (0, 0) -> [1, 2, 0, 0]
        Tensor y = Functional.adaptiveAvgPool2d(x, 0, 2);
        assertArrayEquals(new int[] {1, 2, 0, 2}, y.shape());
        assertArrayEquals(new int[] {1, 2, 3, 0}, new AdaptiveAvgPool2d(3, 0).forward(x).shape());
        assertArrayEquals(new int[] {1, 2, 0, 0}, Functional.adaptiveAvgPool2d(x, 0, 0).shape());
        y.sum().backward(); // the empty output still reaches x: its gradient is zeros
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("grad through an empty pool", Tensor.zeros(1, 2, 4, 4), x.grad().to(Device.CPU));
        // and the summary has no receptive field for the empty plane
        assertNull(ModelSummary.of(new Sequential(new AdaptiveAvgPool2d(0, 2)), 1, 2, 4, 4).receptiveField());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void negativeOutputSizeAndEmptyInputPlane_throwAsPyTorch(TestDevice target) {
        Device d = target.use();
        Tensor x = Tensor.ones(new int[] {1, 2, 4, 4}, DType.FLOAT32, d);
        // F.adaptive_avg_pool2d(x, (-1, 2)): "elements of output_size must be greater than or equal to 0"
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Functional.adaptiveAvgPool2d(x, -1, 2));
        assertTrue(e.getMessage().contains("adaptive_avg_pool2d") && e.getMessage().contains("(-1, 2)"), e.getMessage());
        // F.adaptive_avg_pool2d(torch.randn(1, 1, 0, 4), 2): "Expected input to have non-zero size for non-batch dimensions"
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.adaptiveAvgPool2d(Tensor.ones(new int[] {1, 1, 0, 4}, DType.FLOAT32, d), 2, 2));
        assertTrue(e.getMessage().contains("non-zero size") && e.getMessage().contains("[1, 1, 0, 4]"), e.getMessage());
        // an empty batch is fine: F.adaptive_avg_pool2d(torch.randn(0, 1, 4, 4), 2).shape -> [0, 1, 2, 2]
        assertArrayEquals(new int[] {0, 1, 2, 2},
                Functional.adaptiveAvgPool2d(Tensor.ones(new int[] {0, 1, 4, 4}, DType.FLOAT32, d), 2, 2).shape());
    }
}
