package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.LayerGoldens;
import dev.kiln.nn.Parameter;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizers, schedulers and gradient clipping against PyTorch: parameters after each of 4 steps
 * on loss = sum((tanh(x w) + b - t)²), learning rates over 10 epochs, clipped gradients and norms.
 * LayerGoldens: {@code /usr/bin/python3 scripts/goldens/make_goldens.py}.
 */
class OptimizerGoldenTest {
    private static final int STEPS = 4;
    private static final Map<String, Function<List<Parameter>, Optimizer>> OPTIMIZERS = new LinkedHashMap<>();

    static {
        OPTIMIZERS.put("sgd", ps -> new SGD(ps, 0.1));
        OPTIMIZERS.put("sgd_momentum", ps -> new SGD(ps, 0.05, 0.9, 0.1, 0.01, false));
        OPTIMIZERS.put("sgd_nesterov", ps -> new SGD(ps, 0.05, 0.9, 0, 0.01, true));
        OPTIMIZERS.put("adam", ps -> Adam.adam(ps, 0.01));
        OPTIMIZERS.put("adam_wd_amsgrad", ps -> Adam.adam(ps, 0.01, 0.8, 0.99, 1e-6, 0.1, true));
        OPTIMIZERS.put("adamw", ps -> Adam.adamW(ps, 0.01, 0.9, 0.999, 1e-8, 0.1, false));
        OPTIMIZERS.put("rmsprop", ps -> new RMSprop(ps, 0.01));
        OPTIMIZERS.put("rmsprop_centered", ps -> new RMSprop(ps, 0.01, 0.9, 1e-8, 0.01, 0.5, true));
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> OPTIMIZERS.keySet().stream().map(o -> Arguments.of(o, d)));
    }

    static Stream<DType> dtypes() {
        return Stream.of(DType.FLOAT32, DType.FLOAT64);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("optimizers")
    void optimizer_parametersAfterEachStep_matchPyTorch(String name, DType dtype) {
        LayerGoldens gold = LayerGoldens.load("optim", dtype);
        // float32 rounding compounds over steps (Adam divides by small square roots)
        Tolerance tol = dtype == DType.FLOAT64 ? Tolerances.BALANCED.of(DType.FLOAT64) : Tolerances.PERMISSIVE.of(DType.FLOAT32);
        Parameter w = new Parameter(gold.get("w0"));
        Parameter b = new Parameter(gold.get("b0"));
        Optimizer opt = OPTIMIZERS.get(name).apply(List.of(w, b));
        Tensor x = gold.get("x");
        Tensor t = gold.get("t");
        for (int s = 0; s < STEPS; s++) {
            opt.zeroGrad();
            x.matmul(w.data()).tanh().add(b.data()).sub(t).square().sum().backward();
            opt.step();
            tol.assertClose(name + " w after step " + (s + 1), gold.get(name + ".w" + s), w.data());
            tol.assertClose(name + " b after step " + (s + 1), gold.get(name + ".b" + s), b.data());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedulerNames")
    void scheduler_learningRatesOverTenEpochs_matchPyTorch(String name) {
        LayerGoldens gold = LayerGoldens.load("optim", DType.FLOAT64);
        Optimizer opt = new SGD(List.of(new Parameter(Tensor.zeros(1))), 0.1);
        LRScheduler sched = switch (name) {
            case "steplr" -> new StepLR(opt, 3, 0.5);
            case "cosine" -> new CosineAnnealingLR(opt, 10, 0.01);
            case "linear" -> new LinearLR(opt, 0.25, 1.0, 4);
            default -> new OneCycleLR(opt, 1.0, 10);
        };
        double[] lrs = new double[10];
        for (int e = 0; e < 10; e++) {
            lrs[e] = opt.lr();
            sched.step();
        }
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose(name + " learning rates", gold.get("sched." + name), Tensor.fromArray(lrs, 10));
        assertEquals(10, sched.epoch());
        assertEquals(opt.lr(), sched.lastLr());
    }

    static Stream<String> schedulerNames() {
        return Stream.of("steplr", "cosine", "linear", "onecycle");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dtypes")
    void clipGradNorm_l2InfAndL1_matchPyTorch(DType dtype) {
        LayerGoldens gold = LayerGoldens.load("optim", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Map<String, Double> norms = Map.of("l2", 2.0, "inf", Double.POSITIVE_INFINITY, "l1", 1.0);
        norms.forEach((name, type) -> {
            Parameter p1 = new Parameter(Tensor.zerosLike(gold.get("clip.g1")));
            Parameter p2 = new Parameter(Tensor.zerosLike(gold.get("clip.g2")));
            p1.data().setGrad(gold.get("clip.g1"));
            p2.data().setGrad(gold.get("clip.g2"));
            double total = ClipGrad.clipGradNorm(List.of(p1, p2), 1.5, type);
            assertEquals(gold.get("clip." + name + ".total").item(), total, tol.atol() + tol.rtol() * total, name + " total norm");
            tol.assertClose(name + " clipped g1", gold.get("clip." + name + ".g1"), p1.grad());
            tol.assertClose(name + " clipped g2", gold.get("clip." + name + ".g2"), p2.grad());
        });
    }
}
