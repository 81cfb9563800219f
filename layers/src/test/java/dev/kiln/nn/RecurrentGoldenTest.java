package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RNN, LSTM and GRU against PyTorch (outputs, final states and every gradient, float32 and float64),
 * issue #12's bidirectional, projected and unbatched cases on every device, gradcheck, and truncated BPTT.
 * LayerGoldens: {@code /usr/bin/python3 scripts/goldens/make_goldens.py}.
 */
class RecurrentGoldenTest {
    private static final Generator G = new Generator(40);
    private static final Map<String, Supplier<Recurrent>> CASES = new LinkedHashMap<>();

    static {
        CASES.put("rnn_tanh", () -> new RNN(3, 4, 2, false, true, true, G));
        CASES.put("rnn_relu", () -> new RNN(3, 4, 1, true, true, false, G));
        CASES.put("lstm", () -> new LSTM(3, 4, 2, true, false, G));
        CASES.put("lstm_nobias_bf", () -> new LSTM(3, 2, 1, false, true, G));
        CASES.put("gru", () -> new GRU(3, 4, 2, true, true, G));
    }

    /**
     * Issue #12's cases, in sequence_{f32,f64}: bidirectional, projected and unbatched, as the script's sequence()
     * ({@code /usr/bin/python3 scripts/goldens/make_goldens.py --only sequence}).
     */
    private static final Map<String, Supplier<Recurrent>> SEQUENCE = new LinkedHashMap<>();

    static {
        SEQUENCE.put("rnn_bi", () -> new RNN(3, 4, 2, false, true, false, true, G));
        SEQUENCE.put("lstm_bi_proj_bf", () -> new LSTM(3, 4, 2, true, true, true, 2, G));
        SEQUENCE.put("gru_bi_nobias", () -> new GRU(3, 4, 1, false, false, true, G));
        SEQUENCE.put("lstm_proj_unbatched", () -> new LSTM(3, 4, 2, true, false, false, 3, G));
        SEQUENCE.put("gru_bi_unbatched", () -> new GRU(3, 4, 1, true, true, true, G));
        SEQUENCE.put("rnn_relu_unbatched", () -> new RNN(3, 4, 1, true, true, false, G));
    }

    /**
     * Padded batches of several lengths (pack_padded_sequence with enforce_sorted=False), in packed_{f32,f64}
     * ({@code /usr/bin/python3 scripts/goldens/make_goldens.py --only packed}).
     */
    private static final Map<String, Supplier<Recurrent>> PACKED = new LinkedHashMap<>();

    static {
        PACKED.put("gru_bi_packed_bf", () -> new GRU(3, 4, 2, true, true, true, G));
        PACKED.put("lstm_bi_packed", () -> new LSTM(3, 4, 1, true, false, true, 0, G));
        PACKED.put("lstm_proj_packed", () -> new LSTM(3, 4, 2, true, false, false, 2, G));
        PACKED.put("rnn_packed_bf", () -> new RNN(3, 4, 1, false, true, true, G));
    }

    static Stream<Arguments> cases() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> CASES.keySet().stream().map(c -> Arguments.of(c, d)));
    }

    static Stream<Arguments> sequenceCases() {
        return TestDevice.withFloatDtypes().flatMap(a -> SEQUENCE.keySet().stream().map(c -> Arguments.of(c, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void recurrent_matchesPyTorch_outputsStatesAndGradients(String name, DType dtype) {
        check(LayerGoldens.load("recurrent", dtype), name, CASES.get(name).get(), dtype, Device.CPU);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("sequenceCases")
    void issue12Cases_matchPyTorch_onEveryDevice(String name, TestDevice target, DType dtype) {
        Device d = target.use();
        check(LayerGoldens.load("sequence", dtype), name, SEQUENCE.get(name).get(), dtype, d);
    }

    static Stream<Arguments> packedCases() {
        return TestDevice.withFloatDtypes().flatMap(a -> PACKED.keySet().stream().map(c -> Arguments.of(c, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("packedCases")
    void paddedBatchesWithLengths_matchPyTorchsPackedSequences_onEveryDevice(String name, TestDevice target, DType dtype) {
        Device d = target.use();
        check(LayerGoldens.load("packed", dtype), name, PACKED.get(name).get(), dtype, d);
    }

    /** Output, final state and every gradient of {@code name} on device d against the goldens. */
    private static void check(LayerGoldens gold, String name, Recurrent m, DType dtype, Device d) {
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        m.to(dtype);
        // PyTorch's state_dict names in PyTorch's order, so checkpoints interoperate
        assertEquals(List.copyOf(gold.withPrefix(name + ".p.").keySet()), List.copyOf(m.stateDict().keySet()), name + " state_dict");
        m.loadStateDict(gold.withPrefix(name + ".p."));
        m.to(d);
        Tensor x = gold.get(name + ".x").to(d).requiresGrad_(true);
        Tensor h0 = gold.has(name + ".h0") ? gold.get(name + ".h0").to(d).requiresGrad_(true) : null;
        Tensor c0 = gold.has(name + ".c0") ? gold.get(name + ".c0").to(d).requiresGrad_(true) : null;
        int[] lengths = gold.has(name + ".lengths")
                ? Arrays.stream(gold.get(name + ".lengths").toLongArray()).mapToInt(Math::toIntExact).toArray() : null;
        Recurrent.Output out = m.forward(x, lengths, h0 == null ? null : new Recurrent.State(h0, c0));
        assertEquals(d, out.output().device(), name + " output device");
        tol.assertClose(name + " output", gold.get(name + ".y"), out.output());
        tol.assertClose(name + " h_n", gold.get(name + ".hn"), out.state().h());
        Tensor total = out.output().mul(gold.get(name + ".gy").to(d)).sum().add(out.state().h().mul(gold.get(name + ".ghn").to(d)).sum());
        if (gold.has(name + ".cn")) {
            tol.assertClose(name + " c_n", gold.get(name + ".cn"), out.state().c());
            total = total.add(out.state().c().mul(gold.get(name + ".gcn").to(d)).sum());
        } else {
            assertNull(out.state().c());
        }
        total.backward();
        tol.assertClose(name + " input gradient", gold.get(name + ".gx"), x.grad());
        if (h0 != null) {
            tol.assertClose(name + " h0 gradient", gold.get(name + ".gh0"), h0.grad());
        }
        if (c0 != null) {
            tol.assertClose(name + " c0 gradient", gold.get(name + ".gc0"), c0.grad());
        }
        m.namedParameters().forEach((k, p) -> tol.assertClose(name + " grad of " + k, gold.get(name + ".g." + k), p.grad()));
    }

    @Test
    void lstm_gradcheckOfInputAndInitialState_float64() {
        LSTM lstm = new LSTM(2, 3, 2, true, true, G);
        lstm.to(DType.FLOAT64);
        Tensor x = Tensor.normal(G, 0, 1, new int[] {2, 3, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor h0 = Tensor.normal(G, 0, 1, new int[] {2, 2, 3}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor c0 = Tensor.normal(G, 0, 1, new int[] {2, 2, 3}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        GradCheck.gradcheck(a -> {
            Recurrent.Output o = lstm.forward(a[0], new Recurrent.State(a[1], a[2]));
            return o.output().sum().add(o.state().c().square().sum());
        }, x, h0, c0);
    }

    @Test
    void gru_gradcheckWithLengths_float64() {
        GRU gru = new GRU(2, 3, 2, true, true, true, G);
        gru.to(DType.FLOAT64);
        Tensor x = Tensor.normal(G, 0, 1, new int[] {3, 4, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        GradCheck.gradcheck(a -> {
            Recurrent.Output o = gru.forward(a[0], new int[] {2, 4, 1}, null);
            return o.output().sum().add(o.state().h().square().sum());
        }, x);
    }

    @Test
    void lengths_badCountRangeOrUnbatchedInput_areClearErrors() {
        LSTM lstm = new LSTM(3, 4, 1, true, true, G);
        Tensor x = Tensor.zeros(2, 5, 3);
        assertEquals("LSTM: expected one length per sequence (2) for input [2, 5, 3], got 3 lengths",
                assertThrows(IllegalArgumentException.class, () -> lstm.forward(x, new int[] {5, 5, 5}, null)).getMessage());
        assertEquals("LSTM: lengths must lie in [1, 5] for input [2, 5, 3], got lengths[1] = 6",
                assertThrows(IllegalArgumentException.class, () -> lstm.forward(x, new int[] {5, 6}, null)).getMessage());
        assertEquals("LSTM: lengths must lie in [1, 5] for input [2, 5, 3], got lengths[0] = 0",
                assertThrows(IllegalArgumentException.class, () -> lstm.forward(x, new int[] {0, 2}, null)).getMessage());
        assertEquals("LSTM: lengths need a batched input, got unbatched [5, 3]",
                assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.zeros(5, 3), new int[] {5}, null))
                        .getMessage());
    }

    @Test
    void truncatedBptt_detachedCarriedState_stopsGradientsAtTheChunkBoundary() {
        GRU gru = new GRU(2, 3, 1, true, false, G);
        gru.to(DType.FLOAT64);
        Tensor chunk1 = Tensor.normal(G, 0, 1, new int[] {4, 1, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor chunk2 = Tensor.normal(G, 0, 1, new int[] {4, 1, 2}, DType.FLOAT64, Device.CPU);
        Recurrent.Output first = gru.forward(chunk1);
        Recurrent.Output second = gru.forward(chunk2, first.state().detach());
        second.output().sum().backward();
        assertNull(chunk1.grad(), "no gradient crosses a detached state");
        // carrying the state without detach links the chunks: chunk1 gets a non-zero gradient
        gru.forward(chunk2, first.state()).output().sum().backward();
        assertTrue(chunk1.grad().abs().sum().item() > 0);
        // and the detached continuation equals the full sequence's second half (values are not changed)
        Tensor whole = gru.forward(Tensor.cat(new Tensor[] {chunk1.detach(), chunk2}, 0)).output();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("continued output", whole.narrow(0, 4, 4), second.output());
    }
}
