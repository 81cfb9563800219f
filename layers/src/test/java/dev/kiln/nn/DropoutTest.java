package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Dropout statistics with a fixed seed over n = 200000 units. A kept fraction q has standard error
 * sqrt(q (1 - q) / n) ≈ 0.0011 here; the stated tolerance 0.005 is over 4 standard errors.
 */
class DropoutTest {
    private static final int N = 200_000;
    private static final double TOL = 0.005;

    @Test
    void twoDropoutsInARow_keepUnitsWithProbabilityProductOfKeeps_andPreserveTheExpectation() {
        Generator g = new Generator(11);
        Sequential m = new Sequential(new Dropout(0.3, g), new Dropout(0.5, g));
        Tensor x = Tensor.ones(new int[] {N}, DType.FLOAT64, Device.CPU);
        Tensor y = m.forward(x);
        double kept = y.ne(0).to(DType.FLOAT64).mean().item();
        assertEquals(0.7 * 0.5, kept, TOL);
        // every kept unit is scaled by 1/(0.7 * 0.5), so the mean stays 1 (relative error ≈ 2 standard errors / 0.35)
        assertEquals(1 / 0.35, y.max().item(), 1e-12);
        assertEquals(1.0, y.mean().item(), TOL / 0.35);
    }

    @Test
    void eval_isTheIdentity_andPZeroKeepsEverything() {
        Generator g = new Generator(12);
        Dropout d = new Dropout(0.9, g);
        Tensor x = Tensor.randn(g, 100);
        d.eval();
        assertSame(x, d.forward(x));
        d.train();
        assertTrue(new Dropout(0, g).forward(x).allclose(x, 0, 0));
        assertTrue(d.forward(x).ne(0).to(DType.FLOAT64).mean().item() < 0.5);
    }

    @Test
    void gradient_flowsOnlyThroughKeptUnits_scaledLikeTheForward() {
        Generator g = new Generator(13);
        Tensor x = Tensor.ones(new int[] {1000}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
        Tensor y = new Dropout(0.25, g).forward(x);
        y.sum().backward();
        assertTrue(x.grad().allclose(y.detach(), 0, 0), "d sum(y) / dx = mask / (1 - p) = y for x = 1");
    }
}
