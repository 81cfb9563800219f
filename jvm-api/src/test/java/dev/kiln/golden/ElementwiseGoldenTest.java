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
import dev.kiln.testing.Tolerances;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unary, binary (with broadcasting), comparison and where against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py jvm-api/src/test/resources/goldens}
 * (family {@code elementwise}). The grad_* fields are kept for autograd: elementwise backward is
 * not a primitive, so only forwards are checked here.
 */
class ElementwiseGoldenTest {
    private static final String FAMILY = "elementwise";

    private static final Map<String, UnaryOperator<Tensor>> UNARY = Map.ofEntries(
            Map.entry("neg", Tensor::neg), Map.entry("abs", Tensor::abs), Map.entry("sign", Tensor::sign),
            Map.entry("exp", Tensor::exp), Map.entry("log", Tensor::log), Map.entry("log1p", Tensor::log1p),
            Map.entry("expm1", Tensor::expm1), Map.entry("sqrt", Tensor::sqrt), Map.entry("rsqrt", Tensor::rsqrt),
            Map.entry("reciprocal", Tensor::reciprocal), Map.entry("square", Tensor::square),
            Map.entry("sin", Tensor::sin), Map.entry("cos", Tensor::cos), Map.entry("tanh", Tensor::tanh),
            Map.entry("sigmoid", Tensor::sigmoid), Map.entry("relu", Tensor::relu), Map.entry("gelu", Tensor::gelu),
            Map.entry("erf", Tensor::erf), Map.entry("floor", Tensor::floor), Map.entry("ceil", Tensor::ceil),
            Map.entry("round", Tensor::round), Map.entry("logical_not", Tensor::logicalNot));

    private static final Map<String, BinaryOperator<Tensor>> BINARY = Map.of(
            "add", Tensor::add, "sub", Tensor::sub, "mul", Tensor::mul, "div", Tensor::div, "pow", Tensor::pow,
            "maximum", Tensor::maximum, "minimum", Tensor::minimum, "logical_and", Tensor::logicalAnd,
            "logical_or", Tensor::logicalOr);

    private static final Map<String, BinaryOperator<Tensor>> COMPARE = Map.of(
            "eq", Tensor::eq, "ne", Tensor::ne, "lt", Tensor::lt, "le", Tensor::le, "gt", Tensor::gt, "ge", Tensor::ge);

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
            assertTrue(unary.contains(op.opName()) && UNARY.containsKey(op.opName()), "no golden for unary " + op.opName());
        }
        Set<String> binary = opsIn(binaryCases());
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(binary.contains(op.opName()) && BINARY.containsKey(op.opName()), "no golden for binary " + op.opName());
        }
        Set<String> compare = opsIn(compareCases());
        for (CompareOp op : CompareOp.values()) {
            assertTrue(compare.contains(op.opName()) && COMPARE.containsKey(op.opName()), "no golden for " + op.opName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryCases")
    void unaryForwardMatchesTorch(Case c) {
        Tensor out = UNARY.get(c.text("op")).apply(c.tensor("x"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryCases")
    void binaryForwardWithBroadcastingMatchesTorch(Case c) {
        Tensor out = BINARY.get(c.text("op")).apply(c.tensor("a"), c.tensor("b"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compareCases")
    void comparisonWithBroadcastingAndTiesMatchesTorch(Case c) {
        Tensor out = COMPARE.get(c.text("op")).apply(c.tensor("a"), c.tensor("b"));
        assertExact(c.name(), c.tensor("out"), out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("whereCases")
    void whereBroadcastsAllThreeArgumentsLikeTorch(Case c) {
        Tensor out = Tensor.where(c.tensor("cond"), c.tensor("a"), c.tensor("b"));
        assertExact(c.name(), c.tensor("out"), out);
    }
}
