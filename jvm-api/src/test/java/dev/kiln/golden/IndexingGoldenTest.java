package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;
import static dev.kiln.testing.TensorAssert.assertExact;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gather, scatter_add (duplicate indices, index smaller than src), index_select, index_add,
 * embedding, cat (with an empty piece) and stack against PyTorch 1.13. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only indexing}
 * (family {@code indexing}); grad_* fields are kept for autograd.
 */
class IndexingGoldenTest {
    private static final String FAMILY = "indexing";

    static Stream<Case> selectionCases() {
        return Goldens.cases(FAMILY, c -> c.text("op").matches("gather|index_select|embedding"));
    }

    static Stream<Case> accumulationCases() {
        return Goldens.cases(FAMILY, c -> c.text("op").matches("scatter_add|index_add"));
    }

    static Stream<Case> joinCases() {
        return Goldens.cases(FAMILY, c -> c.text("op").matches("cat|stack"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectionCases")
    void selectionCopiesTheTorchElements(Case c) {
        Tensor out;
        switch (c.text("op")) {
            case "gather": out = c.tensor("x").gather(c.integer("dim"), c.tensor("index")); break;
            case "index_select": out = c.tensor("x").indexSelect(c.integer("dim"), c.tensor("index")); break;
            default: out = Functional.embedding(c.tensor("indices"), c.tensor("weight"));
        }
        assertExact(c.name(), c.tensor("out"), out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accumulationCases")
    void accumulationAddsDuplicatesLikeTorch(Case c) {
        Tensor x = c.tensor("x");
        int dim = c.integer("dim");
        Tensor out = c.text("op").equals("scatter_add") ? x.scatterAdd(dim, c.tensor("index"), c.tensor("src"))
                : x.indexAdd(dim, c.tensor("index"), c.tensor("src"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.STRICT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("joinCases")
    void catAndStackMatchTorch(Case c) {
        Tensor[] xs = new Tensor[c.integer("n")];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = c.tensor("x" + i);
        }
        int dim = c.integer("dim");
        Tensor out = c.text("op").equals("cat") ? Tensor.cat(xs, dim) : Tensor.stack(xs, dim);
        assertExact(c.name(), c.tensor("out"), out);
    }
}
