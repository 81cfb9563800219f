package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class GraphMemoryAndHelpersTest {
    /** Builds loss = sum(exp(x * 2)) and returns it with a weak reference to the saved exp output. */
    private static Object[] lossWithWeakIntermediate(Tensor x) {
        Tensor h = x.mul(2).exp(); // exp saves its output h
        return new Object[] {h.sum(), new WeakReference<>(h)};
    }

    @Test
    void backward_freesSavedTensors_soIntermediatesCanBeCollected() throws InterruptedException {
        Tensor x = Tensor.normal(new Generator(0), 0, 1, new int[] {1000}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Object[] r = lossWithWeakIntermediate(x);
        Tensor loss = (Tensor) r[0];
        @SuppressWarnings("unchecked")
        WeakReference<Tensor> saved = (WeakReference<Tensor>) r[1];
        loss.backward();
        for (int i = 0; i < 50 && saved.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(saved.get(), "the exp output saved for backward is still reachable through the graph");
    }

    @Test
    void trainingLoop_doesNotGrowTheGraph() {
        Generator g = new Generator(1);
        Tensor w = Tensor.normal(g, 0, 0.1, new int[] {8, 8}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor x = Tensor.normal(g, 0, 1, new int[] {4, 8}, DType.FLOAT64, Device.CPU);
        for (int step = 0; step < 200; step++) {
            Tensor loss = x.matmul(w).tanh().square().mean();
            loss.backward();
            try (dev.kiln.GradMode.Scope s = dev.kiln.GradMode.noGrad()) {
                w.copy_(w.sub(w.grad().mul(0.1)));
            }
            w.zeroGrad();
            assertTrue(w.isLeaf() && w.gradFn() == null);
        }
    }

    @Test
    void hessian_ofSumOfCubes_isDiagonalSixX() {
        Tensor x = Tensor.of(0.5, -1.0, 2.0);
        Tensor h = Autograd.hessian(z -> z.pow(3).sum(), x);
        Tensor expected = Tensor.fromArray(new double[] {3, 0, 0, 0, -6, 0, 0, 0, 12}, 3, 3);
        assertTrue(h.allclose(expected, 1e-12, 1e-12), h.toString());
    }

    @Test
    void vjp_returnsOutputsAndCotangentTimesJacobian() {
        Autograd.Result r = Autograd.vjp(a -> new Tensor[] {a[0].mul(a[1])}, new Tensor[] {Tensor.of(2.0, 3.0),
            Tensor.of(5.0, 7.0)}, new Tensor[] {Tensor.of(1.0, 10.0)});
        assertTrue(r.outputs()[0].allclose(Tensor.of(10.0, 21.0), 0, 0));
        assertTrue(r.derivatives()[0].allclose(Tensor.of(5.0, 70.0), 0, 0));
        assertTrue(r.derivatives()[1].allclose(Tensor.of(2.0, 30.0), 0, 0));
    }
}
