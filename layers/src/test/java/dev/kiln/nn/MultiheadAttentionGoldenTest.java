package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MultiheadAttention (self with a causal mask, cross with key padding) and the transformer encoder
 * and decoder layers against PyTorch: outputs, input and parameter gradients, float32 and float64;
 * issue #12's cases (bias_k/v, zero attention, 3-D and float masks, unbatched inputs, gelu,
 * Transformer) on every device.
 * LayerGoldens: {@code /usr/bin/python3 scripts/goldens/make_goldens.py}.
 */
class MultiheadAttentionGoldenTest {
    private static final Generator G = new Generator(50);

    private record Case(Supplier<Module> module, BiFunction<Module, Map<String, Tensor>, Tensor> call) {
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("mha_self", new Case(() -> new MultiheadAttention(6, 2, true, false, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("x"), null, true)));
        CASES.put("mha_cross", new Case(() -> new MultiheadAttention(6, 3, true, true, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("q"), a.get("kv"), a.get("kv"), a.get("kpm"), null, false)));
        CASES.put("encoder", new Case(() -> new TransformerEncoderLayer(6, 2, 8, 0, false, false, G),
                (m, a) -> ((TransformerEncoderLayer) m).forward(a.get("x"), null, true)));
        CASES.put("encoder_prenorm_bf", new Case(() -> new TransformerEncoderLayer(6, 3, 8, 0, true, true, G),
                (m, a) -> ((TransformerEncoderLayer) m).forward(a.get("x"), a.get("kpm"), false)));
        CASES.put("decoder", new Case(() -> new TransformerDecoderLayer(6, 2, 8, 0, false, false, G),
                (m, a) -> ((TransformerDecoderLayer) m).forward(a.get("x"), a.get("mem"), null, a.get("kpm"), true)));
    }

    /**
     * Issue #12's cases, in sequence_{f32,f64}: the same names as in the script's sequence(), written by
     * {@code /usr/bin/python3 scripts/goldens/make_goldens.py --only sequence}.
     */
    private static final Map<String, Case> SEQUENCE = new LinkedHashMap<>();

    static {
        SEQUENCE.put("mha_bias_kv_zero_attn", new Case(() -> new MultiheadAttention(6, 2, true, true, true, false, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("q"), a.get("kv"), a.get("kv"), a.get("kpm"), a.get("mask"), false)));
        SEQUENCE.put("mha_zero_attn_causal", new Case(() -> new MultiheadAttention(6, 3, true, false, true, true, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("x"), null, true)));
        SEQUENCE.put("mha_3d_float_mask", new Case(() -> new MultiheadAttention(6, 3, true, true, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("x"), a.get("x"), a.get("x"), a.get("kpm"), a.get("mask"), false)));
        SEQUENCE.put("mha_float_kpm", new Case(() -> new MultiheadAttention(6, 2, true, false, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("q"), a.get("kv"), a.get("kv"), a.get("kpm"), null, false)));
        SEQUENCE.put("mha_unbatched", new Case(() -> new MultiheadAttention(6, 2, true, true, false, false, G),
                (m, a) -> ((MultiheadAttention) m).forward(a.get("q"), a.get("kv"), a.get("kv"), a.get("kpm"), a.get("mask"), false)));
        SEQUENCE.put("encoder_gelu_masks", new Case(() -> new TransformerEncoderLayer(6, 2, 8, 0, "gelu", 1e-5, false, false, G),
                (m, a) -> ((TransformerEncoderLayer) m).forward(a.get("x"), a.get("mask"), a.get("kpm"), false)));
        SEQUENCE.put("encoder_unbatched_3d", new Case(() -> new TransformerEncoderLayer(6, 3, 8, 0, true, true, G),
                (m, a) -> ((TransformerEncoderLayer) m).forward(a.get("x"), a.get("mask"), a.get("kpm"), false)));
        SEQUENCE.put("decoder_masks_bf", new Case(() -> new TransformerDecoderLayer(6, 2, 8, 0, "gelu", 1e-5, true, true, G),
                (m, a) -> ((TransformerDecoderLayer) m).forward(a.get("x"), a.get("mem"), a.get("tmask"), a.get("mmask"), a.get("tkpm"),
                        a.get("kpm"), false)));
        SEQUENCE.put("decoder_unbatched", new Case(() -> new TransformerDecoderLayer(6, 2, 8, 0, false, false, G),
                (m, a) -> ((TransformerDecoderLayer) m).forward(a.get("x"), a.get("mem"), null, a.get("mmask"), null, null, false)));
        SEQUENCE.put("transformer", new Case(() -> new Transformer(6, 2, 2, 2, 8, 0, "gelu", 1e-5, false, false, G),
                (m, a) -> ((Transformer) m).forward(a.get("src"), a.get("tgt"), null, a.get("tmask"), null, a.get("kpm"), null,
                        a.get("kpm"))));
        SEQUENCE.put("transformer_bf_prenorm_unbatched", new Case(() -> new Transformer(6, 3, 1, 2, 8, 0, "relu", 1e-5, true, true, G),
                (m, a) -> ((Transformer) m).forward(a.get("src"), a.get("tgt"), a.get("smask"), null, a.get("mmask"), null, null,
                        null)));
    }

    /** Differentiable inputs (their gradients are checked) and masks (constants), as the script names them. */
    private static final List<String> INPUTS = List.of("x", "q", "kv", "mem", "src", "tgt");
    private static final List<String> MASKS = List.of("kpm", "mask", "tmask", "mmask", "tkpm", "smask");

    static Stream<Arguments> cases() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> CASES.keySet().stream().map(c -> Arguments.of(c, d)));
    }

    static Stream<Arguments> sequenceCases() {
        return TestDevice.withFloatDtypes().flatMap(a -> SEQUENCE.keySet().stream().map(c -> Arguments.of(c, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void attentionModule_matchesPyTorch_outputAndGradients(String name, DType dtype) {
        check(LayerGoldens.load("attention", dtype), name, CASES.get(name), dtype, Device.CPU);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("sequenceCases")
    void issue12Cases_matchPyTorch_onEveryDevice(String name, TestDevice target, DType dtype) {
        Device d = target.use();
        check(LayerGoldens.load("sequence", dtype), name, SEQUENCE.get(name), dtype, d);
    }

    /** Output, input gradients and parameter gradients of {@code name} on device d against the goldens. */
    private static void check(LayerGoldens gold, String name, Case c, DType dtype, Device d) {
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Module m = c.module().get();
        m.to(dtype);
        // PyTorch's state_dict names in PyTorch's order, so checkpoints interoperate
        assertEquals(List.copyOf(gold.withPrefix(name + ".p.").keySet()), List.copyOf(m.stateDict().keySet()), name + " state_dict");
        m.loadStateDict(gold.withPrefix(name + ".p."));
        m.to(d);
        Map<String, Tensor> args = new LinkedHashMap<>();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (String k : INPUTS) {
            if (gold.has(name + "." + k)) {
                inputs.put(k, gold.get(name + "." + k).to(d).requiresGrad_(true));
            }
        }
        args.putAll(inputs);
        for (String k : MASKS) {
            if (gold.has(name + "." + k)) {
                args.put(k, gold.get(name + "." + k).to(d));
            }
        }
        Tensor y = c.call().apply(m, args);
        assertEquals(d, y.device(), name + " output device");
        tol.assertClose(name + " output", gold.get(name + ".y"), y);
        y.backward(gold.get(name + ".gy").to(d));
        inputs.forEach((k, t) -> tol.assertClose(name + " gradient of " + k, gold.get(name + ".g" + k), t.grad()));
        m.namedParameters().forEach((k, p) -> tol.assertClose(name + " grad of " + k, gold.get(name + ".g." + k), p.grad()));
    }

    @Test
    void parameterNames_matchPyTorch() {
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                new ArrayList<>(new MultiheadAttention(4, 2, true, false, G).namedParameters().keySet()));
        List<String> enc = new ArrayList<>(new TransformerEncoderLayer(4, 2, 8, 0.1, false, false, G).namedParameters().keySet());
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
                "norm1.bias", "norm2.weight", "norm2.bias"), enc);
    }

    @Test
    void multiheadAttention_gradcheck_float64_withCausalMaskAndPadding() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, true, G);
        mha.to(DType.FLOAT64);
        Tensor q = Tensor.normal(G, 0, 1, new int[] {2, 3, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor kv = Tensor.normal(G, 0, 1, new int[] {2, 3, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor kpm = Tensor.fromArray(new boolean[] {false, false, true, false, false, false}, 2, 3);
        GradCheck.gradcheck(a -> mha.forward(a[0], a[1], a[1], kpm, null, true), q, kv);
    }

    /** Issue #12: a float attention mask with a bool key-padding mask built a CPU -inf constant and failed off the CPU. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void floatAttnMaskWithKeyPaddingMask_onEveryDevice_equalsTheCpuResult(TestDevice target) {
        Device d = target.use();
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, false, G);
        mha.to(DType.FLOAT64);
        Tensor x = Tensor.normal(G, 0, 1, new int[] {3, 2, 4}, DType.FLOAT64, Device.CPU); // (L, N, E)
        Tensor attn = Tensor.normal(G, 0, 1, new int[] {3, 3}, DType.FLOAT64, Device.CPU); // (L, S) float
        Tensor kpm = Tensor.fromArray(new boolean[] {false, true, false, false, false, true}, 2, 3); // (N, S)
        Tensor expected = mha.forward(x, x, x, kpm, attn, false);
        mha.to(d);
        Tensor y = mha.forward(x.to(d), x.to(d), x.to(d), kpm.to(d), attn.to(d), false);
        assertEquals(d, y.device());
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("attention with both masks on " + d, expected, y);
    }

    @Test
    void masks_withWrongShapes_nameTheExpectedShape() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, true, G);
        Tensor x = Tensor.zeros(2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(x, x, x, Tensor.fromArray(new boolean[] {true, false}, 1, 2), null, false));
        assertTrue(e.getMessage().contains("key_padding_mask must be (N, S) = [2, 3]"), e.getMessage());
    }
}
