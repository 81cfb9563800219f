package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * softmax and log_softmax over dim 0, 1 and last (and of a vector and a 0-D tensor), forward and
 * backward, against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only softmax}
 * (family {@code softmax}).
 */
class SoftmaxGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("softmax", c -> true);
    }

    private static boolean log(Case c) {
        return c.text("op").equals("log_softmax");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardOverAnyDimMatchesTorch(Case c) {
        Tensor x = c.tensor("x");
        int dim = c.integer("dim");
        Tensor out = log(c) ? Functional.logSoftmax(x, dim) : Functional.softmax(x, dim);
        assertClose(c.name(), c.tensor("out"), out, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardFromTorchOutputMatchesTorchGradInput(Case c) {
        Tensor gy = c.tensor("grad_out");
        Tensor y = c.tensor("out");
        int dim = c.integer("dim");
        Tensor gx = log(c) ? Functional.logSoftmaxBackward(gy, y, dim) : Functional.softmaxBackward(gy, y, dim);
        assertClose(c.name(), c.tensor("grad_x"), gx, Tolerances.BALANCED);
    }
}
