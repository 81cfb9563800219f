package dev.kiln.nn.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.nn.LayerGoldens;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every loss against PyTorch: value and input gradient (for a random upstream gradient gy) in
 * float32 and float64; the unbatched cross-entropy / NLL cases on every device.
 * LayerGoldens: {@code /usr/bin/python3 scripts/goldens/make_goldens.py}.
 */
class LossGoldenTest {
    /** Each case builds, from the golden file (for weights), the loss the script computes under that name. */
    private static final Map<String, Function<LayerGoldens, Loss>> CASES = new LinkedHashMap<>();

    static {
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            String s = r.name().toLowerCase();
            CASES.put("mse_" + s, g -> new MSELoss(r));
            CASES.put("l1_" + s, g -> new L1Loss(r));
            CASES.put("ce_" + s, g -> new CrossEntropyLoss(null, -100, r, 0));
            CASES.put("ce_w_ls_" + s, g -> new CrossEntropyLoss(g.get("ce_w_ls_" + s + ".weight"), -100, r, 0.2));
            CASES.put("nll_w_" + s, g -> new NLLLoss(g.get("nll_w_" + s + ".weight"), -100, r));
        }
        CASES.put("smoothl1", g -> new SmoothL1Loss(Reduction.MEAN, 0.5));
        CASES.put("huber", g -> new HuberLoss(Reduction.SUM, 0.7));
        CASES.put("ce_probs", g -> new CrossEntropyLoss());
        CASES.put("ce_probs_w_ls", g -> new CrossEntropyLoss(g.get("ce_probs_w_ls.weight"), -100, Reduction.SUM, 0.1));
        CASES.put("ce_spatial", g -> new CrossEntropyLoss(null, 1, Reduction.MEAN, 0.1));
        CASES.put("ce_large", g -> new CrossEntropyLoss());
        CASES.put("bce", g -> new BCELoss());
        CASES.put("bce_w_sum", g -> new BCELoss(g.get("bce_w_sum.weight"), Reduction.SUM));
        CASES.put("bcelogits", g -> new BCEWithLogitsLoss());
        CASES.put("bcelogits_pw", g -> new BCEWithLogitsLoss(g.get("bcelogits_pw.weight"), Reduction.NONE,
                g.get("bcelogits_pw.pos_weight")));
        CASES.put("kl_batchmean", g -> new KLDivLoss(Reduction.BATCH_MEAN, false));
        CASES.put("kl_mean", g -> new KLDivLoss(Reduction.MEAN, false));
        CASES.put("kl_sum", g -> new KLDivLoss(Reduction.SUM, false));
        CASES.put("kl_none", g -> new KLDivLoss(Reduction.NONE, false));
        CASES.put("kl_logtarget", g -> new KLDivLoss(Reduction.BATCH_MEAN, true));
    }

    /**
     * Issue #12's unbatched cases (input (C), target () or (C)), in sequence_{f32,f64}
     * ({@code /usr/bin/python3 scripts/goldens/make_goldens.py --only sequence}); t fetches the case's tensors.
     */
    private static final Map<String, Function<Function<String, Tensor>, Loss>> UNBATCHED = new LinkedHashMap<>();

    static {
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            String s = r.name().toLowerCase();
            UNBATCHED.put("ce_unbatched_" + s, t -> new CrossEntropyLoss(t.apply("weight"), -100, r, 0.1));
            UNBATCHED.put("nll_unbatched_" + s, t -> new NLLLoss(t.apply("weight"), -100, r));
        }
        UNBATCHED.put("ce_unbatched_probs", t -> new CrossEntropyLoss(null, -100, Reduction.NONE, 0));
    }

    static Stream<Arguments> cases() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> CASES.keySet().stream().map(c -> Arguments.of(c, d)));
    }

    static Stream<Arguments> unbatchedCases() {
        return TestDevice.withFloatDtypes().flatMap(a -> UNBATCHED.keySet().stream().map(c -> Arguments.of(c, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("unbatchedCases")
    void unbatchedLoss_matchesPyTorch_onEveryDevice(String name, TestDevice target, DType dtype) {
        Device d = target.use();
        LayerGoldens gold = LayerGoldens.load("sequence", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Tensor x = gold.get(name + ".x").to(d).requiresGrad_(true);
        Tensor loss = UNBATCHED.get(name).apply(k -> gold.get(name + "." + k).to(d)).forward(x, gold.get(name + ".target").to(d));
        tol.assertClose(name + " value", gold.get(name + ".loss"), loss); // shape [] for every reduction
        loss.backward(gold.get(name + ".gy").to(d));
        tol.assertClose(name + " input gradient", gold.get(name + ".gx"), x.grad());
    }

    @Test
    void unbatched_targetOfWrongShape_namesBothShapes() {
        Tensor logits = Tensor.zeros(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CrossEntropyLoss().forward(logits, Tensor.fromArray(new long[] {1}, 1)));
        assertTrue(e.getMessage().contains("cross_entropy: for unbatched input of shape [4]") && e.getMessage().contains("[1]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NLLLoss().forward(Tensor.zeros(new int[0], DType.FLOAT32,
                Device.CPU), Tensor.fromArray(new long[] {0}, 1)));
        assertTrue(e.getMessage().contains("nll_loss: input must be (C), (N, C) or (N, C, d...), got shape []"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void loss_matchesPyTorch_valueAndInputGradient(String name, DType dtype) {
        LayerGoldens gold = LayerGoldens.load("losses", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Tensor x = gold.get(name + ".x").requiresGrad_(true);
        Tensor loss = CASES.get(name).apply(gold).forward(x, gold.get(name + ".target"));
        tol.assertClose(name + " value", gold.get(name + ".loss"), loss);
        loss.backward(gold.get(name + ".gy"));
        tol.assertClose(name + " input gradient", gold.get(name + ".gx"), x.grad());
    }

    @Test
    void crossEntropy_withLogitsOfMagnitude1000_isFinite() {
        // log-sum-exp: loss of row 0 = 1000 - 0 exactly (target 1 has logit 0); no overflow to inf/nan
        Tensor logits = Tensor.of(1000.0, 0.0, -1000.0).reshape(1, 3);
        Tensor loss = new CrossEntropyLoss().forward(logits, Tensor.fromArray(new long[] {1}, 1));
        assertTrue(Math.abs(loss.item() - 1000.0) < 1e-9, "loss " + loss.item());
    }

    @Test
    void nll_targetOutOfRange_namesTheTargetAndClassCount() {
        Tensor logp = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NLLLoss().forward(logp, Tensor.fromArray(new long[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("target 3 is out of bounds for 3 classes"), e.getMessage());
    }

    @Test
    void mse_shapeMismatch_namesBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MSELoss().forward(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
