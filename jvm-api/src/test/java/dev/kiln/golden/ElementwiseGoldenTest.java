package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;
import static dev.kiln.testing.TensorAssert.assertExact;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.TensorOps;
import dev.kiln.testing.Tolerances;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unary, binary (with broadcasting), comparison and where against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only elementwise}
 * (family {@code elementwise}). The grad_* fields are kept for autograd: elementwise backward is
 * not a primitive, so only forwards are checked here.
 */
class ElementwiseGoldenTest {
    private static final String FAMILY = "elementwise";

    static Stream<Case> unaryCases() {
        return Goldens.cases(FAMILY, "unary_");
    }

    static Stream<Case> binaryCases() {
        return Goldens.cases(FAMILY, "binary_");
    }

    static Stream<Case> compareCases() {
        return Goldens.cases(FAMILY, "compare_");
    }

    static Stream<Case> whereCases() {
        return Goldens.cases(FAMILY, "where_");
    }

    private static Set<String> opsIn(Stream<Case> cases) {
        return cases.map(c -> c.text("op")).collect(Collectors.toSet());
    }

    @Test
    void everyUnaryBinaryAndCompareOpHasGoldenCases() {
        Set<String> unary = opsIn(unaryCases());
        for (UnaryOp op : UnaryOp.values()) {
            assertTrue(unary.contains(op.opName()), "no golden for unary " + op.opName());
        }
        Set<String> binary = opsIn(binaryCases());
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(binary.contains(op.opName()), "no golden for binary " + op.opName());
        }
        Set<String> compare = opsIn(compareCases());
        for (CompareOp op : CompareOp.values()) {
            assertTrue(compare.contains(op.opName()), "no golden for " + op.opName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryCases")
    void unaryForwardMatchesTorch(Case c) {
        Tensor out = TensorOps.unary(TensorOps.byTorchName(UnaryOp.class, c.text("op")), c.tensor("x"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryCases")
    void binaryForwardWithBroadcastingMatchesTorch(Case c) {
        Tensor out = TensorOps.binary(TensorOps.byTorchName(BinaryOp.class, c.text("op")), c.tensor("a"), c.tensor("b"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compareCases")
    void comparisonWithBroadcastingAndTiesMatchesTorch(Case c) {
        Tensor out = TensorOps.compare(TensorOps.byTorchName(CompareOp.class, c.text("op")), c.tensor("a"), c.tensor("b"));
        assertExact(c.name(), c.tensor("out"), out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("whereCases")
    void whereBroadcastsAllThreeArgumentsLikeTorch(Case c) {
        Tensor out = Tensor.where(c.tensor("cond"), c.tensor("a"), c.tensor("b"));
        assertExact(c.name(), c.tensor("out"), out);
    }
}
