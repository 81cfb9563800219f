package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.nn.loss.Reduction;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Float64 gradient checks of every layer: the input gradient with autograd's gradcheck, and each
 * parameter's gradient against central differences of sum(y * v) for a fixed random v, taken by
 * perturbing the parameter in place (GradCheck's default eps and tolerances); the same for the new
 * parameter paths of the recurrent and attention layers (reverse directions, weight_hr, bias_k/v).
 */
class LayerGradCheckTest {
    private static final Generator G = new Generator(21);

    private record Case(Supplier<Layer> layer, int[] inputShape) {
    }

    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    private static void add(String name, Supplier<Layer> layer, int... inputShape) {
        CASES.put(name, new Case(layer, inputShape));
    }

    static {
        add("linear", () -> new Linear(4, 3, G), 2, 4);
        add("conv2d_stride_groups", () -> new Conv2d(4, 2, 3, 2, 1, 1, 2, true, G), 1, 4, 5, 5);
        add("conv2d_dilation", () -> new Conv2d(2, 2, 3, 1, 2, 2, 1, false, G), 1, 2, 5, 4);
        add("maxpool2d", () -> new MaxPool2d(3, 2, 1, 1, false), 1, 2, 5, 5);
        add("avgpool2d", () -> new AvgPool2d(3, 2, 1, true, false), 1, 2, 5, 5);
        add("adaptiveavgpool2d", () -> new AdaptiveAvgPool2d(2, 3), 1, 2, 5, 4);
        add("flatten", Flatten::new, 2, 2, 3);
        add("batchnorm1d", () -> new BatchNorm1d(3), 5, 3);
        add("batchnorm2d", () -> new BatchNorm2d(2), 3, 2, 2, 2);
        add("batchnorm2d_eval", () -> {
            BatchNorm2d bn = new BatchNorm2d(2);
            bn.eval();
            return bn;
        }, 3, 2, 2, 2);
        add("layernorm", () -> new LayerNorm(2, 3), 2, 2, 3);
        add("residual_basic_projection", () -> ResidualBlock.basic(2, 3, 2, G), 2, 2, 4, 4);
        add("graphconv", () -> new GraphConv(Tensor.of(1.0, -1, 0, -1, 2, -1, 0, -1, 1).reshape(3, 3), 2, 4, 3, new Tanh(), G),
                3, 2);
        add("relu", ReLU::new, 3, 4);
        add("leakyrelu", () -> new LeakyReLU(0.2), 3, 4);
        add("elu", () -> new ELU(1.3), 3, 4);
        add("gelu", GELU::new, 3, 4);
        add("gelu_tanh", () -> new GELU("tanh"), 3, 4);
        add("sigmoid", Sigmoid::new, 3, 4);
        add("tanh", Tanh::new, 3, 4);
        add("softmax", () -> new Softmax(0), 3, 4);
        add("logsoftmax", () -> new LogSoftmax(1), 3, 4);
    }

    static Stream<String> cases() {
        return CASES.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void layer_inputAndParameterGradients_equalCentralDifferences(String name) {
        Case c = CASES.get(name);
        Layer layer = c.layer().get();
        layer.to(DType.FLOAT64);
        // nudge inputs away from the kinks of relu/max so central differences are valid
        Tensor x = Tensor.normal(G, 0, 1, c.inputShape(), DType.FLOAT64, Device.CPU);
        x = x.add(x.sign().mul(0.05)).requiresGrad_(true);
        GradCheck.gradcheck(a -> layer.forward(a[0]), x);
        checkParameters(layer, x.detach());
    }

    @Test
    void embedding_weightGradient_equalsCentralDifferences() {
        Embedding e = new Embedding(5, 3, null, G); // a padding row has no gradient by design (ModuleTest)
        e.to(DType.FLOAT64);
        checkParameters(e, Tensor.fromArray(new long[] {1, 0, 3, 1}, 2, 2));
    }

    @Test
    void losses_inputGradients_equalCentralDifferences() {
        Tensor logits = Tensor.normal(G, 0, 2, new int[] {4, 3}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor labels = Tensor.fromArray(new long[] {2, 0, -100, 1}, 4);
        Tensor w = Tensor.of(0.3, 1.0, 2.0);
        GradCheck.gradcheck(a -> new CrossEntropyLoss(w, -100, Reduction.MEAN, 0.15).forward(a[0], labels), logits);
        Tensor y = Tensor.fromArray(new double[] {1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0}, 4, 3);
        Tensor pw = Tensor.of(2.0, 0.5, 1.0);
        GradCheck.gradcheck(a -> new BCEWithLogitsLoss(null, Reduction.SUM, pw).forward(a[0], y), logits);
    }

    @Test
    void bidirectionalProjectedLstm_inputStateAndParameterGradients_equalCentralDifferences() {
        LSTM lstm = new LSTM(2, 3, 2, true, true, true, 2, G); // weight_hr_l{k}, *_reverse
        lstm.to(DType.FLOAT64);
        Tensor x = Tensor.normal(G, 0, 1, new int[] {2, 3, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor h0 = Tensor.normal(G, 0, 1, new int[] {4, 2, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor c0 = Tensor.normal(G, 0, 1, new int[] {4, 2, 3}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        GradCheck.gradcheck(a -> outputAndState(lstm.forward(a[0], new Recurrent.State(a[1], a[2]))), x, h0, c0);
        checkParameters(lstm, () -> outputAndState(lstm.forward(x.detach(), new Recurrent.State(h0.detach(), c0.detach()))));
    }

    @Test
    void bidirectionalGru_unbatched_inputAndParameterGradients_equalCentralDifferences() {
        GRU gru = new GRU(2, 3, 2, true, false, true, G);
        gru.to(DType.FLOAT64);
        Tensor x = Tensor.normal(G, 0, 1, new int[] {3, 2}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        GradCheck.gradcheck(a -> outputAndState(gru.forward(a[0])), x);
        checkParameters(gru, () -> outputAndState(gru.forward(x.detach())));
    }

    /** The output and the final state(s) flattened into one tensor, so every path is checked. */
    private static Tensor outputAndState(Recurrent.Output o) {
        Tensor[] parts = o.state().c() == null ? new Tensor[] {o.output().flatten(), o.state().h().flatten()}
                : new Tensor[] {o.output().flatten(), o.state().h().flatten(), o.state().c().flatten()};
        return Tensor.cat(parts, 0);
    }

    @Test
    void multiheadAttention_biasKvZeroAttnAnd3dFloatMask_inputAndParameterGradients_equalCentralDifferences() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, true, true, true, true, G);
        mha.to(DType.FLOAT64);
        Tensor q = Tensor.normal(G, 0, 1, new int[] {2, 3, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor kv = Tensor.normal(G, 0, 1, new int[] {2, 2, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor mask = Tensor.normal(G, 0, 1, new int[] {4, 3, 2}, DType.FLOAT64, Device.CPU); // (N * heads, L, S)
        Tensor kpm = Tensor.fromArray(new boolean[] {false, true, false, false}, 2, 2);
        GradCheck.gradcheck(a -> mha.forward(a[0], a[1], a[1], kpm, mask, true), q, kv);
        checkParameters(mha, () -> mha.forward(q.detach(), kv.detach(), kv.detach(), kpm, mask, true));
    }

    @Test
    void transformer_geluPreNorm_inputAndParameterGradients_equalCentralDifferences() {
        Transformer t = new Transformer(4, 2, 1, 1, 6, 0, "gelu", 1e-5, false, true, G);
        t.to(DType.FLOAT64);
        Tensor src = Tensor.normal(G, 0, 1, new int[] {3, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true); // unbatched
        Tensor tgt = Tensor.normal(G, 0, 1, new int[] {2, 4}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor tgtMask = Transformer.generateSquareSubsequentMask(2, DType.FLOAT64, Device.CPU);
        GradCheck.gradcheck(a -> t.forward(a[0], a[1], null, tgtMask, null, null, null, null), src, tgt);
        checkParameters(t, () -> t.forward(src.detach(), tgt.detach(), null, tgtMask, null, null, null, null));
    }

    /** checkParameters of a one-input layer applied to x. */
    private static void checkParameters(Layer layer, Tensor x) {
        checkParameters(layer, () -> layer.forward(x));
    }

    /** Compares autograd's d sum(y v) / d p with central differences for every parameter element, y = forward(). */
    private static void checkParameters(Module layer, Supplier<Tensor> forward) {
        if (layer.parameters().isEmpty()) {
            return;
        }
        Tensor v = Tensor.normal(G, 0, 1, forward.get().shape(), DType.FLOAT64, Device.CPU);
        layer.zeroGrad();
        forward.get().mul(v).sum().backward();
        layer.namedParameters().forEach((name, p) -> {
            double[] analytic = p.grad().toDoubleArray();
            double[] values = p.data().detach().toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                double[] plus = values.clone();
                double[] minus = values.clone();
                plus[i] += GradCheck.DEFAULT_EPS;
                minus[i] -= GradCheck.DEFAULT_EPS;
                p.update(Tensor.fromArray(plus, p.shape()));
                double fp = forward.get().mul(v).sum().item();
                p.update(Tensor.fromArray(minus, p.shape()));
                double fm = forward.get().mul(v).sum().item();
                p.update(Tensor.fromArray(values, p.shape()));
                double numeric = (fp - fm) / (2 * GradCheck.DEFAULT_EPS);
                double allowed = GradCheck.DEFAULT_ATOL + GradCheck.DEFAULT_RTOL * Math.abs(numeric);
                int at = i;
                assertTrue(Math.abs(analytic[i] - numeric) <= allowed, () -> name + "[" + at + "]: autograd " + analytic[at]
                        + ", central difference " + numeric);
            }
        });
    }
}
