package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Output sizes of convolution and pooling are computed in long and floored, so a kernel larger than
 * the padded input is refused whatever the stride, and huge dilations do not wrap around to a size
 * that looks valid (PyTorch: "Kernel size can't be greater than actual input size").
 */
class ConvPoolGeometryTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void conv2d_kernelLargerThanTheInput_isRefusedForEveryStride(TestDevice target) {
        Device d = target.use();
        Tensor x = Tensor.zeros(new int[] {1, 1, 2, 2}, DType.FLOAT64, d);
        Tensor w = Tensor.zeros(new int[] {1, 1, 5, 5}, DType.FLOAT64, d);
        for (int stride : new int[] {1, 4, 9}) {
            // span 2 - 4 - 1 = -3: truncating -3 / 4 to 0 made one output of a window that does not fit
            String msg = assertThrows(IllegalArgumentException.class,
                    () -> Functional.conv2d(x, w, null, stride, 0, 1, 1)).getMessage();
            assertTrue(msg.contains("larger than the padded input 2x2"), msg);
        }
        int big = 3 << 29; // as below: 2 * big wraps to -2^30 in int arithmetic
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, Tensor.zeros(new int[] {1, 1, 3, 3}, DType.FLOAT64, d), null,
                        new Conv2dParams(1, 1, 0, 0, big, big, 1))).getMessage();
        assertTrue(msg.contains("larger than the padded input"), msg);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void pooling_hugeDilation_doesNotWrapToAValidSize(TestDevice target) {
        Device d = target.use();
        Tensor x = Tensor.zeros(new int[] {1, 1, 4, 4}, DType.FLOAT64, d);
        int big = 3 << 29; // dilation * (kernel - 1) = 3 * 2^30 wraps, as an int, to -2^30: a span that looked valid
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Functional.maxPool2d(x, new Pool2dParams(3, 3, 1, 1, 0, 0, big, big, false, true))).getMessage();
        assertTrue(msg.contains("gives an empty output"), msg);
    }
}
