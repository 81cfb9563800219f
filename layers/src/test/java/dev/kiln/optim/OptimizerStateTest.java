package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizer state dicts: saved mid-training (through a safetensors file) and restored, training continues identically. */
class OptimizerStateTest {
    @TempDir
    Path dir;

    private static void steps(Linear l, Optimizer opt, int n) {
        Tensor x = Tensor.normal(new Generator(1), 0, 1, new int[] {6, 3}, DType.FLOAT64, Device.CPU);
        for (int i = 0; i < n; i++) {
            opt.zeroGrad();
            l.forward(x).tanh().square().sum().backward();
            opt.step();
        }
    }

    private static Linear linear() {
        Linear l = new Linear(3, 2, new Generator(0));
        l.to(DType.FLOAT64);
        return l;
    }

    private void resumeEqualsUninterrupted(Function<List<Parameter>, Optimizer> make) throws IOException {
        Linear a = linear();
        Optimizer oa = make.apply(a.parameters());
        steps(a, oa, 6);
        Linear b = linear();
        Optimizer ob = make.apply(b.parameters());
        steps(b, ob, 3);
        Path file = dir.resolve("opt.safetensors");
        SafeTensors.write(file, ob.stateDict());
        Linear c = linear();
        c.loadStateDict(b.stateDict());
        Optimizer oc = make.apply(c.parameters());
        oc.loadStateDict(SafeTensors.read(file));
        steps(c, oc, 3);
        a.stateDict().forEach((k, t) -> assertTrue(t.allclose(c.stateDict().get(k), 0, 0), k));
    }

    @Test
    void sgdMomentum_adam_rmsprop_resumeExactly() throws IOException {
        resumeEqualsUninterrupted(ps -> new SGD(ps, 0.1, 0.9, 0, 0.01, true));
        resumeEqualsUninterrupted(ps -> Adam.adamW(ps, 0.05));
        resumeEqualsUninterrupted(ps -> new RMSprop(ps, 0.01, 0.9, 1e-8, 0, 0.5, true));
    }

    /**
     * A bfloat16 parameter with float32 master weights: 40 SGD steps of 1e-4 each move it from 1 to 0.996, which
     * rounds to 1 - 2^-8, though each step alone is below bfloat16's resolution at 1 (2^-8) and would be lost.
     */
    @Test
    void sixteenBitParameters_stepFloat32MasterWeights() {
        Parameter p = new Parameter(Tensor.ones(new int[] {3}, DType.BFLOAT16, Device.CPU));
        Optimizer opt = new SGD(List.of(p), 1e-4);
        for (int i = 0; i < 40; i++) {
            opt.zeroGrad();
            p.data().sum().backward();   // grad 1 everywhere
            opt.step();
        }
        assertEquals(DType.BFLOAT16, p.dtype());
        assertEquals(1 - 0x1p-8, p.data().toDoubleArray()[0], 0.0);
        Tensor master = opt.stateDict().get("state.0.master");
        assertEquals(DType.FLOAT32, master.dtype());
        assertEquals(1 - 40e-4, master.toDoubleArray()[1], 1e-6);
        try (var scope = GradMode.noGrad()) {   // a parameter set from outside re-seeds the master
            p.data().copy_(Tensor.full(new int[] {3}, 2, DType.BFLOAT16, Device.CPU));
        }
        opt.zeroGrad();
        p.data().sum().backward();
        opt.step();
        assertEquals(2 - 1e-4, opt.stateDict().get("state.0.master").toDoubleArray()[0], 1e-6);
        assertEquals(2.0, p.data().toDoubleArray()[0], 0.0);
    }

    @Test
    void stateDict_holdsPyTorchNamedBuffers_andTheLearningRate() {
        Linear l = linear();
        Optimizer opt = Adam.adam(l.parameters(), 0.01);
        steps(l, opt, 2);
        Map<String, Tensor> s = opt.stateDict();
        assertTrue(s.keySet().containsAll(List.of("state.0.step", "state.0.exp_avg", "state.1.exp_avg_sq", "lr")), s.keySet().toString());
        assertEquals(2.0, s.get("state.0.step").item());
        assertEquals(0.01, s.get("lr").item());
    }

    @Test
    void loadStateDict_rejectsForeignKeysAndShapes_namingThem() {
        Linear l = linear();
        Optimizer opt = new SGD(l.parameters(), 0.1, 0.9, 0, 0, false);
        Map<String, Tensor> bad = Map.of("lr", Tensor.scalar(0.1, DType.FLOAT64), "state.5.momentum_buffer", Tensor.zeros(2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(bad)).getMessage()
                .contains("unexpected key state.5.momentum_buffer"));
        Map<String, Tensor> shape = Map.of("lr", Tensor.scalar(0.1, DType.FLOAT64), "state.0.momentum_buffer", Tensor.zeros(3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(shape)).getMessage()
                .contains("size mismatch for state.0.momentum_buffer"));
    }

    @Test
    void step_skipsParametersWithoutGradient_andKeepsTheSameLeafTensors() {
        Linear l = linear();
        Tensor weightBefore = l.weight();
        Tensor biasValue = l.bias().detach().clone();
        Optimizer opt = new SGD(l.parameters(), 0.1);
        l.forward(Tensor.ones(new int[] {1, 3}, DType.FLOAT64, Device.CPU)).sum().backward();
        l.bias().zeroGrad();
        opt.step();
        assertTrue(weightBefore == l.weight(), "updated in place: layers keep their tensor");
        assertTrue(l.bias().allclose(biasValue, 0, 0));
        assertTrue(GradMode.isEnabled());
    }
}
