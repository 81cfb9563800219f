package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.SparseMatrix;
import dev.kiln.SparsePattern;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sparse-dense products against PyTorch 1.13: {@code torch.sparse.mm} of an uncoalesced COO matrix
 * (entries out of order, a position twice, an empty row) and {@code torch.sparse.sampled_addmm} (beta 0)
 * at its coalesced pattern. The gradients PyTorch's autograd gives are checked against the formulas
 * of Kiln's derivative rules (SparseRules), written here with the same two products. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only sparse}
 * (family {@code sparse}).
 */
class SparseGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("sparse", "sparse_");
    }

    private static SparseMatrix matrix(Case c, String values) {
        return SparseMatrix.coo(c.tensor("indices"), c.tensor(values), c.integer("rows"), c.integer("cols"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sparseMmMatchesTorch(Case c) {
        assertClose(c.name(), c.tensor("out"), matrix(c, "values").mm(c.tensor("x")), Tolerances.BALANCED);
    }

    /** dvalues = (g @ x^T) at the entries, dx = A^T @ g. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sparseMmGradientsMatchTorch(Case c) {
        SparseMatrix a = matrix(c, "values");
        Tensor g = c.tensor("grad_out");
        Tensor gValues = SparseMatrix.sampledMm(a.pattern(), g, c.tensor("x").mT()).values();
        // torch's gradient is in the given entry order: sorted into the pattern's order as the values were
        assertClose(c.name() + " grad_values", matrix(c, "grad_values").values(), gValues, Tolerances.BALANCED);
        assertClose(c.name() + " grad_x", c.tensor("grad_x"), a.t().mm(g), Tolerances.BALANCED);
    }

    /** sampled = (a @ b) at the pattern; da = S @ b^T, db = (S^T @ a)^T with S = (pattern, g). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sampledMmAndItsGradientsMatchTorch(Case c) {
        Tensor ones = Tensor.onesLike(c.tensor("pattern").select(0, 0)).to(c.dtype());
        SparsePattern p = SparseMatrix.coo(c.tensor("pattern"), ones, c.integer("rows"), c.integer("cols")).pattern();
        Tensor a = c.tensor("a");
        Tensor b = c.tensor("b");
        assertClose(c.name(), c.tensor("sampled"), SparseMatrix.sampledMm(p, a, b).values(), Tolerances.BALANCED);
        SparseMatrix s = SparseMatrix.of(p, c.tensor("grad_sampled"));
        assertClose(c.name() + " grad_a", c.tensor("grad_a"), s.mm(b.mT()), Tolerances.BALANCED);
        assertClose(c.name() + " grad_b", c.tensor("grad_b"), s.t().mm(a).mT(), Tolerances.BALANCED);
    }
}
