package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;
import static dev.kiln.testing.TensorAssert.assertExact;

import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sum / mean / prod / amax / amin / var over several dims with and without keepdim, and max / min
 * with indices, against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only reductions}
 * (family {@code reduction}; dims [] means all dims). grad_x is kept for autograd.
 */
class ReductionGoldenTest {
    private static final String FAMILY = "reduction";

    static Stream<Case> reduceCases() {
        return Goldens.cases(FAMILY, c -> !c.has("indices") && !c.text("op").equals("var"));
    }

    static Stream<Case> varCases() {
        return Goldens.cases(FAMILY, "var_");
    }

    static Stream<Case> indexedCases() {
        return Goldens.cases(FAMILY, c -> c.has("indices"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reduceCases")
    void reductionOverDimsMatchesTorch(Case c) {
        Tensor x = c.tensor("x");
        int[] dims = c.ints("dims");
        boolean keepdim = c.flag("keepdim");
        Tensor out;
        switch (c.text("op")) {
            case "sum": out = x.sum(dims, keepdim); break;
            case "mean": out = x.mean(dims, keepdim); break;
            case "prod": out = x.prod(dims, keepdim); break;
            case "amax": out = x.amax(dims, keepdim); break;
            case "amin": out = x.amin(dims, keepdim); break;
            default: throw new IllegalArgumentException(c.name());
        }
        assertClose(c.name(), c.tensor("out"), out, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("varCases")
    void varianceWithCorrectionMatchesTorch(Case c) {
        Tensor out = c.tensor("x").var(c.ints("dims"), c.integer("correction"), c.flag("keepdim"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("indexedCases")
    void maxMinAlongDimGiveTorchValuesAndIndices(Case c) {
        Tensor x = c.tensor("x");
        Tensor.ValuesIndices r = c.text("op").equals("max") ? x.max(c.integer("dim"), c.flag("keepdim"))
                : x.min(c.integer("dim"), c.flag("keepdim"));
        assertExact(c.name() + " values", c.tensor("values"), r.values());
        assertExact(c.name() + " indices", c.tensor("indices"), r.indices());
    }
}
