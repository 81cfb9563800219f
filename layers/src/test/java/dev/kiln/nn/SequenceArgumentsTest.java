package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #12's layer arguments: the shapes of unbatched and bidirectional states, the causal mask
 * helper on every device, and the messages for bad masks, states and settings.
 */
class SequenceArgumentsTest {
    private static final Generator G = new Generator(60);

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void generateSquareSubsequentMask_isMinusInfAboveTheDiagonal_onTheGivenDevice(TestDevice target) {
        Device d = target.use();
        Tensor m = Transformer.generateSquareSubsequentMask(3, DType.FLOAT64, d);
        assertEquals(d, m.device());
        double inf = Double.NEGATIVE_INFINITY;
        assertArrayEquals(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, m.toDoubleArray());
    }

    @Test
    void bidirectionalProjectedLstm_stateShapes_followPyTorch() {
        LSTM lstm = new LSTM(3, 5, 2, true, false, true, 2, G);
        Recurrent.Output batched = lstm.forward(Tensor.zeros(4, 6, 3)); // (L, N, in)
        assertArrayEquals(new int[] {4, 6, 4}, batched.output().shape()); // (L, N, D * proj)
        assertArrayEquals(new int[] {4, 6, 2}, batched.state().h().shape()); // (D * layers, N, proj)
        assertArrayEquals(new int[] {4, 6, 5}, batched.state().c().shape()); // (D * layers, N, H)
        Recurrent.Output unbatched = lstm.forward(Tensor.zeros(4, 3)); // (L, in)
        assertArrayEquals(new int[] {4, 4}, unbatched.output().shape());
        assertArrayEquals(new int[] {4, 2}, unbatched.state().h().shape());
        assertArrayEquals(new int[] {4, 5}, unbatched.state().c().shape());
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0", "weight_ih_l0_reverse",
                "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_hr_l0_reverse"),
                List.copyOf(lstm.namedParameters().keySet()).subList(0, 10));
        assertArrayEquals(new int[] {20, 4}, lstm.namedParameters().get("weight_ih_l1").shape()); // reads D * proj features
    }

    @Test
    void recurrent_badStatesAndSettings_nameTheShapes() {
        GRU gru = new GRU(3, 4, 1, true, false, true, G);
        assertMessage("GRU: initial h must be (D * num_layers, H_out) = [2, 4] for input [5, 3], got [2, 1, 4]",
                () -> gru.forward(Tensor.zeros(5, 3), new Recurrent.State(Tensor.zeros(2, 1, 4), null)));
        assertMessage("GRU: expected input (L, N, 3) or unbatched (L, 3), got [5]", () -> gru.forward(Tensor.zeros(5)));
        assertMessage("initial h is float64 on cpu but input [5, 3] is float32",
                () -> gru.forward(Tensor.zeros(5, 3), new Recurrent.State(Tensor.zeros(new int[] {2, 4}, DType.FLOAT64, Device.CPU),
                        null)));
        assertMessage("LSTM: proj_size has to be a non-negative integer smaller than hidden_size 4, got 4",
                () -> new LSTM(3, 4, 1, true, false, false, 4, G));
    }

    @Test
    void multiheadAttention_badMasks_nameTheExpectedShapes() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, false, G);
        Tensor x = Tensor.zeros(3, 2, 4); // (L, N, E)
        assertMessage("attn_mask must be (L, S) = [3, 3] or (N * num_heads, L, S) = [4, 3, 3], got [2, 3, 3]",
                () -> mha.forward(x, x, x, null, Tensor.zeros(new int[] {2, 3, 3}, DType.BOOL, Device.CPU), false));
        Tensor u = Tensor.zeros(3, 4); // unbatched (L, E)
        assertMessage("attn_mask must be (L, S) = [3, 3] or (num_heads, L, S) = [2, 3, 3], got [4, 3, 3]",
                () -> mha.forward(u, u, u, null, Tensor.zeros(new int[] {4, 3, 3}, DType.BOOL, Device.CPU), false));
        assertMessage("key_padding_mask must be (S) = [3], got [1, 3]",
                () -> mha.forward(u, u, u, Tensor.zeros(new int[] {1, 3}, DType.BOOL, Device.CPU), null, false));
        assertMessage("only bool and float attn_mask is supported, got int64 [3, 3]",
                () -> mha.forward(u, u, u, null, Tensor.fromArray(new long[9], 3, 3), false));
        assertMessage("query, key and value must all be batched (3-D) or all unbatched (2-D), got [3, 2, 4], [3, 4], [3, 4]",
                () -> mha.forward(x, u, u, null, null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void multiheadAttention_maskOnAnotherDevice_isAClearError(TestDevice target) {
        Device d = target.use();
        if (d.equals(Device.CPU)) {
            return; // a CPU mask is on the CPU query's device
        }
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, false, G);
        mha.to(d);
        Tensor x = Tensor.zeros(new int[] {3, 2, 4}, DType.FLOAT32, d);
        assertMessage("attn_mask [3, 3] is on cpu but query [3, 2, 4] is on " + d,
                () -> mha.forward(x, x, x, null, Tensor.zeros(3, 3), false));
    }

    @Test
    void transformer_badInputsAndActivation_nameTheShapes() {
        Transformer t = new Transformer(4, 2, 1, 1, 8, 0, "relu", 1e-5, false, false, G);
        assertMessage("Transformer: the batch number of src and tgt must be equal; got src [5, 2, 4] and tgt [3, 1, 4]",
                () -> t.forward(Tensor.zeros(5, 2, 4), Tensor.zeros(3, 1, 4)));
        assertMessage("Transformer: the feature number of src and tgt must be equal to d_model 4; got src [5, 2, 3]",
                () -> t.forward(Tensor.zeros(5, 2, 3), Tensor.zeros(3, 2, 3)));
        assertMessage("Transformer: src and tgt must both be batched (3-D) or both unbatched (2-D)",
                () -> t.forward(Tensor.zeros(5, 2, 4), Tensor.zeros(3, 4)));
        assertMessage("TransformerEncoderLayer: activation should be relu/gelu, not tanh",
                () -> new TransformerEncoderLayer(4, 2, 8, 0, "tanh", 1e-5, false, false, G));
    }

    @Test
    void transformer_stateDictNames_matchPyTorch() {
        List<String> names = List.copyOf(new Transformer(4, 2, 1, 1, 8, 0, "relu", 1e-5, false, false, G).stateDict().keySet());
        assertTrue(names.contains("encoder.layers.0.self_attn.in_proj_weight") && names.contains("encoder.norm.weight")
                && names.contains("decoder.layers.0.multihead_attn.out_proj.bias") && names.contains("decoder.norm.bias"), names::toString);
        List<String> mha = List.copyOf(new MultiheadAttention(4, 2, true, true, true, false, G).stateDict().keySet());
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "bias_k", "bias_v", "out_proj.weight", "out_proj.bias"), mha);
    }
}
