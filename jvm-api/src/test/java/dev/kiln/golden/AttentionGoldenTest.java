package dev.kiln.golden;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.AttentionParams;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Goldens;
import dev.kiln.testing.Goldens.Case;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scaled-dot-product attention (causal, causal with Lq < Lk, broadcast bool mask, additive mask with
 * -inf entries, explicit scale) forward, logsumexp and backward. torch 1.13 has no
 * scaled_dot_product_attention, so the script computes softmax(q k^T * scale + mask) v explicitly in
 * the case's dtype and differentiates it with autograd. Data from
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only attention}
 * (family {@code attention}; scale NaN means 1/sqrt(E)).
 */
class AttentionGoldenTest {
    static Stream<Case> cases() {
        return Goldens.cases("attention", "attention_");
    }

    private static Tensor mask(Case c) {
        return c.has("mask") ? c.tensor("mask") : null;
    }

    /** (..., L, E) with the batch dims flattened, as attentionForward returns. */
    private static Tensor flat(Tensor t, int trailing) {
        int[] s = t.shape();
        return trailing == 2 ? t.reshape(-1, s[s.length - 2], s[s.length - 1]) : t.reshape(-1, s[s.length - 1]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesExplicitTorchFormula(Case c) {
        Tensor out = Functional.scaledDotProductAttention(c.tensor("q"), c.tensor("k"), c.tensor("v"), mask(c),
                c.flag("causal"), c.real("scale"));
        assertClose(c.name(), c.tensor("out"), out, Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardLogsumexpMatchesTorch(Case c) {
        Tensor[] r = Functional.attentionForward(c.tensor("q"), c.tensor("k"), c.tensor("v"),
                new AttentionParams(mask(c), c.flag("causal"), c.real("scale")));
        assertClose(c.name() + " out", flat(c.tensor("out"), 2), r[0], Tolerances.BALANCED);
        assertClose(c.name() + " logsumexp", flat(c.tensor("logsumexp"), 1), r[1], Tolerances.BALANCED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardFromTorchForwardMatchesTorchGrads(Case c) {
        Tensor[] g = Functional.attentionBackward(c.tensor("grad_out"), c.tensor("q"), c.tensor("k"), c.tensor("v"),
                flat(c.tensor("out"), 2), flat(c.tensor("logsumexp"), 1),
                        new AttentionParams(mask(c), c.flag("causal"), c.real("scale")));
        assertClose(c.name() + " grad_q", c.tensor("grad_q"), g[0], Tolerances.PERMISSIVE);
        assertClose(c.name() + " grad_k", c.tensor("grad_k"), g[1], Tolerances.PERMISSIVE);
        assertClose(c.name() + " grad_v", c.tensor("grad_v"), g[2], Tolerances.PERMISSIVE);
    }
}
