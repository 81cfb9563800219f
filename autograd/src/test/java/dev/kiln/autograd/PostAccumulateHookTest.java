package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Post-accumulate-grad hooks and end-of-backward callbacks: what data-parallel training builds on. */
class PostAccumulateHookTest {
    private static Tensor leaf(double... v) {
        return Tensor.of(v).requiresGrad_(true);
    }

    @Test
    void hookRunsOnce_afterEveryPathIntoTheLeafHasBeenSummed() {
        Tensor w = leaf(1, 2);
        List<double[]> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(t -> seen.add(t.grad().toDoubleArray()));
        // three paths into w: the hook must see their sum, once
        w.mul(2).add(w.square()).add(w.exp().mul(0)).sum().backward();
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {4, 6}, seen.get(0));
    }

    @Test
    void hooksFireInTheOrderGradientsBecomeFinal_lastLayerFirst() {
        Tensor w1 = leaf(0.5);
        Tensor w2 = leaf(2);
        Tensor x = Tensor.of(3.0);
        List<String> order = new ArrayList<>();
        w1.registerPostAccumulateGradHook(t -> order.add("w1"));
        w2.registerPostAccumulateGradHook(t -> order.add("w2"));
        Tensor h = x.mul(w1).tanh();
        h.mul(w2).sum().backward();
        assertEquals(List.of("w2", "w1"), order);
    }

    @Test
    void leafWithoutAGradientInThisPass_doesNotFire_andRootLeafFiresAtOnce() {
        Tensor used = leaf(1);
        Tensor unused = leaf(1);
        int[] fired = new int[2];
        used.registerPostAccumulateGradHook(t -> fired[0]++);
        unused.registerPostAccumulateGradHook(t -> fired[1]++);
        used.mul(3).sum().backward();
        used.backward(Tensor.of(1.0));
        assertArrayEquals(new int[] {2, 0}, fired);
        assertArrayEquals(new double[] {4}, used.grad().toDoubleArray());
    }

    @Test
    void hookHandle_removesTheHook() {
        Tensor w = leaf(1);
        int[] fired = new int[1];
        Tensor.HookHandle handle = w.registerPostAccumulateGradHook(t -> fired[0]++);
        handle.remove();
        w.mul(2).sum().backward();
        assertEquals(0, fired[0]);
    }

    @Test
    void autogradGrad_touchesNoGrad_andRunsNoPostAccumulateHook() {
        Tensor w = leaf(1);
        int[] fired = new int[1];
        w.registerPostAccumulateGradHook(t -> fired[0]++);
        Autograd.grad(new Tensor[] {w.mul(2).sum()}, new Tensor[] {w}, null, false, false);
        assertEquals(0, fired[0]);
    }

    @Test
    void queuedCallback_runsAfterTheWholePass_seeingEveryGradient() {
        Tensor w1 = leaf(1);
        Tensor w2 = leaf(2);
        List<String> events = new ArrayList<>();
        w2.registerPostAccumulateGradHook(t -> {
            events.add("w2");
            Autograd.queueCallback(() -> events.add("end, w1.grad=" + w1.grad().item()));
        });
        w1.registerPostAccumulateGradHook(t -> events.add("w1"));
        w1.mul(w2).mul(5).sum().backward();
        assertEquals(3, events.size());
        assertEquals("end, w1.grad=10.0", events.get(2));
        assertTrue(events.containsAll(List.of("w1", "w2")));
    }

    @Test
    void queueCallbackOutsideBackward_namesTheProblem() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Autograd.queueCallback(() -> { }));
        assertTrue(e.getMessage().contains("no backward pass is running"), e.getMessage());
    }

    @Test
    void postAccumulateHookOnANonLeaf_isRefused() {
        Tensor h = leaf(1).mul(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.registerPostAccumulateGradHook(t -> { }));
        assertTrue(e.getMessage().contains("only leaf tensors"), e.getMessage());
    }
}
