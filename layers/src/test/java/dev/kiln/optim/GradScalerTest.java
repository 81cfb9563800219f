package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dynamic loss scaling as torch.amp.GradScaler: unscaling, skipped steps, backoff and growth, misuse refused. */
class GradScalerTest {
    private static Parameter param() {
        return new Parameter(Tensor.fromArray(new float[] {1, 2}, 2));
    }

    /** loss = sum(w * c) scaled: the gradient is c times the scale before unscaling. */
    private static void backward(GradScaler s, Parameter p, float c) {
        s.scale(p.data().mul(c).sum()).backward();
    }

    @Test
    void gradientsAreUnscaledBeforeTheStep() {
        Parameter p = param();
        SGD sgd = new SGD(List.of(p), 0.5);
        GradScaler s = new GradScaler(8, 2, 0.5, 2, true);
        backward(s, p, 3);
        assertArrayEquals(new float[] {24, 24}, p.grad().toFloatArray(), "scaled by 8");
        assertTrue(s.step(sgd));
        assertArrayEquals(new float[] {3, 3}, p.grad().toFloatArray(), "unscaled");
        assertArrayEquals(new float[] {-0.5f, 0.5f}, p.data().toFloatArray(), "w - 0.5 * 3");
        s.update();
        assertEquals(8, s.getScale(), "one clean step of an interval of 2");
        p.zeroGrad();
        backward(s, p, 1);
        s.step(sgd);
        s.update();
        assertEquals(16, s.getScale(), "grown after 2 clean steps");
    }

    @Test
    void anInfOrNanGradientSkipsTheStepAndBacksOff() {
        Parameter p = param();
        SGD sgd = new SGD(List.of(p), 0.5);
        GradScaler s = new GradScaler(1e38, 2, 0.5, 100, true);
        backward(s, p, 10);   // 1e39 overflows float32
        assertFalse(s.step(sgd));
        assertArrayEquals(new float[] {1, 2}, p.data().toFloatArray(), "parameters untouched");
        s.update();
        assertEquals(0.5e38, s.getScale());
        p.zeroGrad();
        s.scale(p.data().mul(Float.NaN).sum()).backward();
        assertFalse(s.step(sgd));
        s.update();
        assertEquals(0.25e38, s.getScale());
    }

    @Test
    void misuseIsRefusedNamingTheCall() {
        Parameter p = param();
        SGD sgd = new SGD(List.of(p), 0.5);
        GradScaler s = new GradScaler();
        assertThrows(IllegalStateException.class, s::update, "update before any step");
        backward(s, p, 1);
        s.unscale_(sgd);
        assertTrue(assertThrows(IllegalStateException.class, () -> s.unscale_(sgd)).getMessage().contains("already called"));
        s.step(sgd);
        assertTrue(assertThrows(IllegalStateException.class, () -> s.step(sgd)).getMessage().contains("already called"));
        s.update();
        Parameter h = new Parameter(Tensor.ones(new int[] {2}, DType.FLOAT16, Device.CPU));
        SGD half = new SGD(List.of(h), 0.1);
        s.scale(h.data().sum()).backward();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.step(half)).getMessage().contains("float16 gradient"));
    }

    @Test
    void disabledItIsTransparent_andItsStateRoundTrips() {
        Parameter p = param();
        GradScaler off = new GradScaler(8, 2, 0.5, 2, false);
        backward(off, p, 3);
        assertArrayEquals(new float[] {3, 3}, p.grad().toFloatArray());
        assertTrue(off.step(new SGD(List.of(p), 0.5)));
        off.update();
        assertEquals(1, off.getScale());
        GradScaler a = new GradScaler(64, 2, 0.5, 10, true);
        Parameter q = param();
        backward(a, q, 1);
        a.step(new SGD(List.of(q), 0.1));
        a.update();
        GradScaler b = new GradScaler();
        b.loadStateDict(a.stateDict());
        assertEquals(64, b.getScale());
        assertEquals(1, b.stateDict().get("_growth_tracker").item());
    }
}
