package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layer against PyTorch: same state (weights and buffers) and input give the same output,
 * input gradient, parameter gradients and updated running statistics, in float32 and float64.
 * LayerGoldens: {@code /usr/bin/python3 scripts/goldens/make_goldens.py}.
 */
class LayerGoldenTest {
    private static final Generator G = new Generator(0);

    /** Each case builds the layer PyTorch's script builds under the same name. */
    private static final Map<String, Supplier<Layer>> CASES = new LinkedHashMap<>();

    static {
        CASES.put("linear", () -> new Linear(5, 3, G));
        CASES.put("conv2d", () -> new Conv2d(4, 6, 3, 2, 1, 1, 2, true, G));
        CASES.put("conv2d_dilated", () -> new Conv2d(3, 2, 3, 1, 2, 2, 1, false, G));
        CASES.put("maxpool2d", () -> new MaxPool2d(3, 2, 1, 1, false));
        CASES.put("avgpool2d", () -> new AvgPool2d(2));
        CASES.put("adaptiveavgpool2d", () -> new AdaptiveAvgPool2d(3, 2));
        CASES.put("flatten", Flatten::new);
        CASES.put("batchnorm1d", () -> new BatchNorm1d(3));
        CASES.put("batchnorm1d_3d", () -> new BatchNorm1d(3));
        CASES.put("batchnorm2d", () -> new BatchNorm2d(3));
        CASES.put("batchnorm2d_eval", () -> new BatchNorm2d(3));
        CASES.put("layernorm", () -> new LayerNorm(3, 4));
        CASES.put("embedding", () -> new Embedding(6, 3, 2, G));
        CASES.put("relu", ReLU::new);
        CASES.put("leakyrelu", () -> new LeakyReLU(0.1));
        CASES.put("elu", () -> new ELU(0.7));
        CASES.put("gelu", GELU::new);
        CASES.put("sigmoid", Sigmoid::new);
        CASES.put("tanh", Tanh::new);
        CASES.put("softmax", () -> new Softmax(1));
        CASES.put("logsoftmax", () -> new LogSoftmax(1));
    }

    static Stream<Arguments> cases() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> CASES.keySet().stream().map(c -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void layer_matchesPyTorch_outputGradientsAndBuffers(String name, DType dtype) {
        LayerGoldens gold = LayerGoldens.load("layers", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Layer layer = CASES.get(name).get();
        layer.to(dtype);
        layer.loadStateDict(gold.withPrefix(name + ".p."));
        layer.train(!name.endsWith("_eval"));
        Tensor x = gold.get(name + ".x");
        if (x.dtype().isFloatingPoint()) {
            x.requiresGrad_(true);
        }
        Tensor y = layer.forward(x);
        assertEquals(dtype, y.dtype());
        tol.assertClose(name + " output", gold.get(name + ".y"), y);
        y.backward(gold.get(name + ".gy"));
        if (x.dtype().isFloatingPoint()) {
            tol.assertClose(name + " input gradient", gold.get(name + ".gx"), x.grad());
        }
        layer.namedParameters().forEach((k, p) -> tol.assertClose(name + " grad of " + k, gold.get(name + ".g." + k), p.grad()));
        layer.namedBuffers().forEach((k, b) -> tol.assertClose(name + " buffer " + k, gold.get(name + ".s." + k), b));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dtypes")
    void batchNorm_runningStatisticsAfterThreeSteps_andEvalOutput_matchPyTorch(DType dtype) {
        LayerGoldens gold = LayerGoldens.load("layers", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        BatchNorm2d bn = new BatchNorm2d(2, 1e-5, 0.3, true, true);
        bn.to(dtype);
        for (int i = 0; i < 3; i++) {
            bn.forward(gold.get("bn_steps.x" + i));
        }
        bn.namedBuffers().forEach((k, b) -> tol.assertClose("buffer " + k, gold.get("bn_steps.s." + k), b));
        bn.eval();
        tol.assertClose("eval output", gold.get("bn_steps.eval_y"), bn.forward(gold.get("bn_steps.eval_x")));
    }

    static Stream<DType> dtypes() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64);
    }
}
