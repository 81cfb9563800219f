package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * matmul against PyTorch 1.13: matrix-matrix, 1-D operands on either or both sides, broadcast batch
 * dims. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only matmul}
 * (family {@code matmul}); grad_a / grad_b are kept for autograd.
 */
class MatmulGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("matmul", "matmul_");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matmulWithBroadcastAndVectorOperandsMatchesTorch(Case c) {
        assertClose(c.name(), c.tensor("out"), c.tensor("a").matmul(c.tensor("b")), Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matmulOfTransposedCopiesMatchesTorch(Case c) {
        // the same product read through transposed views: b^T^T and a^T^T are non-contiguous
        var a = c.tensor("a");
        var b = c.tensor("b");
        var at = a.dim() < 2 ? a : a.mT().contiguous().mT();
        var bt = b.dim() < 2 ? b : b.mT().contiguous().mT();
        assertClose(c.name(), c.tensor("out"), at.matmul(bt), Tolerances.BALANCED);
    }
}
