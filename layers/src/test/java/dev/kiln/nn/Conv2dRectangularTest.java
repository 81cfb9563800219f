package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

class Conv2dRectangularTest {
    @Test
    void rectangularKernel_perDimStrideAndPadding_matchesFunctionalConv2d() {
        Conv2dParams p = new Conv2dParams(2, 1, 0, 1, 1, 1, 1); // stride (2, 1), padding (0, 1)
        Conv2d conv = new Conv2d(3, 4, 1, 3, p, true, new Generator(0));
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 7, 5);
        Tensor y = conv.forward(x);
        assertArrayEquals(new int[] {2, 4, 4, 5}, y.shape()); // H: (7 - 1) / 2 + 1, W: 5 + 2 - 3 + 1
        Tensor expected = Functional.conv2d(x, conv.weight(), conv.bias(), p);
        assertTrue(y.allclose(expected, 0, 0));
        assertArrayEquals(new int[] {4, 3, 1, 3}, conv.weight().shape());
        assertEquals("Conv2d(3, 4, kernel_size=(1, 3), stride=(2, 1), padding=(0, 1), dilation=(1, 1), groups=1, bias=true)",
                conv.toString());
    }

    @Test
    void rectangularKernel_defaultInit_isBoundedByOneOverSqrtFanIn() {
        Conv2d conv = new Conv2d(2, 8, 3, 5, Conv2dParams.of(1, 0, 1, 1), true, new Generator(2));
        double bound = 1 / Math.sqrt(2 * 3 * 5); // kaiming_uniform(a = sqrt(5)) on fan_in = in * kH * kW
        assertTrue(conv.weight().abs().max().item() <= bound);
        assertTrue(conv.weight().abs().max().item() > 0.8 * bound);
    }
}
