package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.Conv2dParams;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv2d forward, grad_input, grad_weight and grad_bias against PyTorch 1.13 autograd: stride 2,
 * padding 1, dilation 2, groups 2, depthwise, rectangular kernel, non-square input, 1x1 and all of
 * them at once. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only conv2d}
 * (family {@code conv2d}; params = strideH, strideW, padH, padW, dilationH, dilationW, groups).
 * Skipped, with the reason shown, while the CPU conv2d is still a placeholder (branch gemm).
 */
class Conv2dGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("conv2d", "conv2d_");
    }

    static Stream<Case> casesWithBias() {
        return Goldens.cases("conv2d", c -> c.has("grad_bias"));
    }

    private static Conv2dParams params(Case c) {
        int[] p = c.ints("params");
        return new Conv2dParams(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesTorch(Case c) {
        Tensor bias = c.has("bias") ? c.tensor("bias") : null;
        Tensor out = Functional.conv2d(c.tensor("x"), c.tensor("weight"), bias, params(c));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardInputMatchesTorchGradInput(Case c) {
        Tensor gx = Functional.conv2dBackwardInput(c.tensor("grad_out"), c.tensor("weight"), c.shape("x"), params(c));
        assertClose(c.name(), c.tensor("grad_x"), gx, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardWeightMatchesTorchGradWeight(Case c) {
        Tensor gw = Functional.conv2dBackwardWeight(c.tensor("grad_out"), c.tensor("x"), c.shape("weight"), params(c));
        assertClose(c.name(), c.tensor("grad_weight"), gw, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithBias")
    void biasGradientIsGradOutputSummedOverBatchAndSpaceAsTorch(Case c) {
        // the bias gradient is composed (no primitive): sum of grad_out over N, OH, OW
        Tensor gb = c.tensor("grad_out").sum(new int[] {0, 2, 3}, false);
        assertClose(c.name(), c.tensor("grad_bias"), gb, Tolerances.BALANCED);
    }
}
