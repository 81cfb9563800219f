package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;
import static dev.kiln.testing.TensorAssert.assertExact;

import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * max_pool2d (padding, dilation, ceil_mode, rectangular; values and indices) and avg_pool2d
 * (count_include_pad true/false, ceil_mode) forward and backward against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only pooling}
 * (family {@code pool2d}; params = kernel, stride, padding, dilation as (h, w) pairs, ceil_mode,
 * and count_include_pad for avg_pool2d).
 */
class PoolGoldenTest {
    static Stream<Case> maxCases() {
        return Goldens.cases("pool2d", "max_pool2d_");
    }

    static Stream<Case> avgCases() {
        return Goldens.cases("pool2d", "avg_pool2d_");
    }

    private static Pool2dParams params(Case c) {
        int[] p = c.ints("params");
        boolean countIncludePad = p.length < 10 || p[9] != 0;
        return new Pool2dParams(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8] != 0, countIncludePad);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPoolForwardGivesTorchValuesAndIndices(Case c) {
        Tensor[] r = Functional.maxPool2dWithIndices(c.tensor("x"), params(c));
        assertExact(c.name() + " values", c.tensor("out"), r[0]);
        assertExact(c.name() + " indices", c.tensor("indices"), r[1]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPoolBackwardRoutesGradientsLikeTorch(Case c) {
        Tensor gx = Functional.maxPool2dBackward(c.tensor("grad_out"), c.tensor("indices"), c.shape("x"), params(c));
        assertClose(c.name(), c.tensor("grad_x"), gx, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPoolForwardMatchesTorch(Case c) {
        Tensor out = Functional.avgPool2d(c.tensor("x"), params(c));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPoolBackwardMatchesTorch(Case c) {
        Tensor gx = Functional.avgPool2dBackward(c.tensor("grad_out"), c.shape("x"), params(c));
        assertClose(c.name(), c.tensor("grad_x"), gx, Tolerances.STRICT);
    }
}
