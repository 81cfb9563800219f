package dev.kiln.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 ops, on every device, against PyTorch 1.13's CPU kernels in those dtypes (elementwise, matmul, softmax,
 * reductions, pooling, convolution; float16 only where 1.13 has a CPU kernel). Inputs and outputs are stored as
 * the float32 values they are. Data from {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only halves}.
 */
class HalvesGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("halves", c -> true);
    }

    private static Tensor op(String op, Tensor x, Tensor y) {
        return switch (op) {
            case "add" -> x.add(y);
            case "mul" -> x.mul(y);
            case "div" -> x.div(y.abs().add(1));
            case "exp" -> x.exp();
            case "tanh" -> x.tanh();
            case "sigmoid" -> x.sigmoid();
            case "gelu" -> x.gelu();
            case "relu" -> x.relu();
            case "matmul" -> x.matmul(y.t());
            case "softmax" -> Functional.softmax(x, 1);
            case "log_softmax" -> Functional.logSoftmax(x, 0);
            case "sum" -> x.sum(1);
            case "mean" -> x.mean(0);
            case "max_pool2d" -> Functional.maxPool2d(x.reshape(1, 1, 4, 6), 2);
            case "conv2d" -> Functional.conv2d(x.reshape(1, 1, 4, 6), y.narrow(0, 0, 2).narrow(1, 0, 4).reshape(2, 1, 2, 2),
                    null, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("halves golden: unknown op " + op);
        };
    }

    /**
     * Within one unit in the last place of the exact result (the op in float64 on the same inputs): Kiln computes
     * in float32 (sums in float64) and rounds once. And no farther from PyTorch's 16-bit result than PyTorch is from
     * the exact one, plus that unit: 1.13's bfloat16 gelu and conv2d round in between (up to a few units off).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void opMatchesPyTorchsSixteenBitKernel(Case c) {
        DType dtype = c.dtype();
        Tensor out = op(c.text("op"), c.tensor("x").to(dtype), c.tensor("y").to(dtype));
        assertEquals(dtype, out.dtype(), c.name());
        assertArrayEquals(c.shape("out"), out.shape(), c.name());
        float[] torch = c.tensor("out").toFloatArray();
        float[] exact = c.tensor("exact").toFloatArray();
        float[] got = out.toFloatArray();
        int bits = dtype == DType.BFLOAT16 ? 8 : 11;   // significand bits, the implicit one included
        for (int i = 0; i < got.length; i++) {
            double ulp = Math.scalb(1.0, Math.getExponent(Math.max(Math.abs(exact[i]), Float.MIN_NORMAL)) - bits + 1);
            assertEquals(exact[i], got[i], ulp * 1.0001, c.name() + " element " + i + " against the exact value");
            assertEquals(torch[i], got[i], Math.abs(torch[i] - exact[i]) + ulp * 1.0001, c.name() + " element " + i
                    + " against PyTorch (exact " + exact[i] + ")");
        }
    }
}
