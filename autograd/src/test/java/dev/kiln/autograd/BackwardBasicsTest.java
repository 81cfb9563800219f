package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

class BackwardBasicsTest {
    private static Tensor leaf(double... v) {
        return Tensor.of(v).requiresGrad_(true);
    }

    @Test
    void backward_ofSumOfSquares_isTwiceX() {
        Tensor x = leaf(1, -2, 3);
        x.square().sum().backward();
        assertArrayEquals(new double[] {2, -4, 6}, x.grad().toDoubleArray());
    }

    @Test
    void grad_accumulatesAcrossBackwardCalls_untilZeroGrad() {
        Tensor x = leaf(1, 2);
        x.mul(3).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void noGradScope_recordsNothing() {
        Tensor x = leaf(1, 2);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Tensor y = x.mul(2);
            assertTrue(!y.requiresGrad() && y.gradFn() == null);
        }
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void detach_sharesStorageButLeavesTheGraph() {
        Tensor x = leaf(1, 2);
        Tensor d = x.mul(2).detach();
        assertTrue(!d.requiresGrad() && d.isLeaf());
    }

    @Test
    void secondBackward_withoutRetainGraph_saysRetainGraph() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward(Tensor.onesLike(y), false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainGraph_allowsASecondBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward(Tensor.onesLike(y), true, false);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.exp(1), 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void inPlaceWriteToSavedTensor_isRefusedAtBackward() {
        Tensor x = leaf(1, 2);
        Tensor base = Tensor.of(3.0, 4.0);
        Tensor y = x.mul(base).sum();
        base.fill_(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified by an in-place operation"), e.getMessage());
    }

    @Test
    void inPlaceOnLeafRequiringGrad_isRefused() {
        Tensor x = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.fill_(0));
        assertTrue(e.getMessage().contains("leaf tensor that requires grad"), e.getMessage());
        try (GradMode.Scope s = GradMode.noGrad()) {
            x.fill_(0); // what an optimizer step does
        }
        assertArrayEquals(new double[] {0, 0}, x.toDoubleArray());
    }

    @Test
    void hooks_seeAndReplaceTheGradient_andRetainGradKeepsIntermediates() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(2);
        h.retainGrad();
        h.registerHook(g -> g.mul(10));
        h.sum().backward();
        assertArrayEquals(new double[] {10, 10}, h.grad().toDoubleArray());
        assertArrayEquals(new double[] {20, 20}, x.grad().toDoubleArray());
    }

    @Test
    void hookOnIntermediate_runsEvenAfterTheTensorIsUnreachable() {
        Tensor x = leaf(1, 2);
        double[] seen = new double[1];
        Tensor y = hooked(x, seen).sum();
        System.gc();
        y.backward();
        assertEquals(2.0, seen[0]);
    }

    private static Tensor hooked(Tensor x, double[] seen) {
        Tensor h = x.mul(3);
        h.registerHook(g -> {
            seen[0] = g.sum().item();
            return null;
        });
        return h.relu();
    }

    @Test
    void grad_returnsGradientsWithoutTouchingDotGrad() {
        Tensor w = leaf(1, 2, 3);
        Tensor task1 = w.square().sum();
        Tensor task2 = w.sum();
        Tensor g1 = Autograd.grad(new Tensor[] {task1}, new Tensor[] {w}, null, false, false)[0];
        Tensor g2 = Autograd.grad(new Tensor[] {task2}, new Tensor[] {w}, null, false, false)[0];
        assertArrayEquals(new double[] {2, 4, 6}, g1.toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, g2.toDoubleArray());
        assertNull(w.grad());
    }

    @Test
    void createGraph_givesSecondDerivatives() {
        Tensor x = leaf(0.5, 2);
        Tensor y = x.pow(3).sum();
        Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true, true)[0]; // 3x^2
        Tensor gg = Autograd.grad(new Tensor[] {g.sum()}, new Tensor[] {x}, null, false, false)[0]; // 6x
        assertArrayEquals(new double[] {3, 12}, gg.toDoubleArray(), 1e-12);
    }

    @Test
    void float32Inputs_areRefusedByGradcheckWithAReason() {
        Tensor x = Tensor.of(1f, 2f).requiresGrad_(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.gradcheck(a -> a[0].exp(), x));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
    }

    @Test
    void gradcheck_reportsTheWorstElementOfAWrongRule() {
        Tensor x = Tensor.randn(new Generator(1), 3).to(DType.FLOAT64).requiresGrad_(true);
        // a hook that corrupts the gradient plays the part of a wrong rule
        GradCheck.Report r = GradCheck.check(a -> {
            Tensor y = a[0].mul(2);
            y.registerHook(g -> g.mul(1.5));
            return new Tensor[] {y};
        }, new Tensor[] {x}, 1e-6, 1e-5, 1e-3);
        assertTrue(!r.passed());
        assertEquals(2.0, r.worst().get(0).numerical(), 1e-6);
        assertEquals(3.0, r.worst().get(0).analytical(), 1e-12);
        assertTrue(r.toString().contains("numerical"), r.toString());
    }

    @Test
    void anomalyMode_namesTheForwardOpThatMadeNaN() {
        Tensor x = Tensor.of(0.0, 1.0).requiresGrad_(true);
        try (AnomalyMode.Scope a = AnomalyMode.detect()) {
            Tensor y = x.sqrt().sum(); // d sqrt(x)/dx = inf at 0
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("sqrt"), e.getMessage());
            assertTrue(e.getCause() != null && e.getCause().getMessage().contains("sqrt"));
        }
    }

    @Test
    void missingDerivative_forIntegerOutputs_isNotRecorded() {
        Tensor x = leaf(3, 1, 2);
        Tensor.ValuesIndices m = x.max(0, false);
        assertTrue(m.values().requiresGrad());
        assertTrue(!m.indices().requiresGrad());
        m.values().backward();
        assertArrayEquals(new double[] {1, 0, 0}, x.grad().toDoubleArray());
    }

    @Test
    void requiresGrad_onIntegerTensor_isRefused() {
        Tensor i = Tensor.arange(3);
        assertThrows(IllegalArgumentException.class, () -> i.requiresGrad_(true));
        assertEquals(Device.CPU, i.device());
    }

    @Test
    void matmul_throughTransposedWeight_givesContiguousWeightGradEqualToXTransposedG() {
        // as linear: y = x @ w.t(); w's gradient is g^T x, reached through the transposed view
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, 7, 70);
        Tensor w = Tensor.randn(gen, 66, 70).requiresGrad_(true);
        Tensor g = Tensor.randn(gen, 7, 66);
        x.matmul(w.t()).mul(g).sum().backward();
        assertTrue(w.grad().isContiguous());
        // the same sums in the same order as x^T g, transposed
        assertArrayEquals(x.t().matmul(g).t().contiguous().toFloatArray(), w.grad().toFloatArray());
    }
}
