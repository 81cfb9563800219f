package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The DDPM schedules against their definitions, the posterior against the product of Gaussians, and bad arguments. */
class DiffusionScheduleTest {
    @Test
    void linearRunsFromDdpmsFirstToLastBetaScaledByTheStepCount() {
        DiffusionSchedule ddpm = DiffusionSchedule.of("linear", 1000);
        assertEquals(1e-4, ddpm.beta[0], 1e-15);
        assertEquals(0.02, ddpm.beta[999], 1e-15);
        assertEquals((0.02 - 1e-4) / 999, ddpm.beta[1] - ddpm.beta[0], 1e-15);
        DiffusionSchedule short100 = DiffusionSchedule.of("linear", 100);      // 10 times the noise per step
        assertEquals(1e-3, short100.beta[0], 1e-15);
        assertEquals(0.2, short100.beta[99], 1e-15);
        assertEquals(0.999, DiffusionSchedule.of("linear", 10).beta[9], 1e-15);   // 2 capped
    }

    /** alphaBar[t] = f(t + 1) / f(0) with f(t) = cos^2((t / T + s) / (1 + s) pi / 2), where beta is under its cap. */
    @Test
    void cosineFollowsNicholAndDhariwal() {
        int steps = 1000;
        DiffusionSchedule cosine = DiffusionSchedule.of("cosine", steps);
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 1, 250, 500, 900, 990}) {
            double f = Math.pow(Math.cos(((t + 1.0) / steps + 0.008) / 1.008 * Math.PI / 2), 2);
            assertEquals(f / f0, cosine.alphaBar[t], 1e-12, "t " + t);
        }
        assertEquals(0.999, cosine.beta[steps - 1], 1e-15);                      // capped: alphaBar(T) is 0
    }

    @Test
    void alphaBarIsTheProductOfOneMinusBeta() {
        for (String kind : new String[] {"linear", "cosine"}) {
            DiffusionSchedule s = DiffusionSchedule.of(kind, 50);
            double product = 1;
            for (int t = 0; t < 50; t++) {
                product *= 1 - s.beta[t];
                assertEquals(product, s.alphaBar[t], 1e-15, kind + " t " + t);
            }
        }
    }

    /**
     * q(x_{t-1} | x_t, x_0) is proportional to q(x_t | x_{t-1}) q(x_{t-1} | x_0): precisions add,
     * 1 / var = alpha_t / beta_t + 1 / (1 - alphaBar_{t-1}), and mean = var (sqrt(alpha_t) x_t / beta_t
     * + sqrt(alphaBar_{t-1}) x_0 / (1 - alphaBar_{t-1})). At t = 0, x_{-1} is x_0 itself.
     */
    @Test
    void thePosteriorIsTheProductOfTheTwoGaussians() {
        for (String kind : new String[] {"linear", "cosine"}) {
            DiffusionSchedule s = DiffusionSchedule.of(kind, 100);
            for (int t = 1; t < 100; t++) {
                double alpha = 1 - s.beta[t];
                double previous = s.alphaBar[t - 1];
                double variance = 1 / (alpha / s.beta[t] + 1 / (1 - previous));
                assertEquals(variance, s.posteriorVariance[t], 1e-12 * variance, kind + " t " + t);
                assertEquals(variance * Math.sqrt(alpha) / s.beta[t], s.posteriorMeanXt[t], 1e-12, kind + " t " + t);
                assertEquals(variance * Math.sqrt(previous) / (1 - previous), s.posteriorMeanX0[t], 1e-12, kind + " t " + t);
            }
            assertEquals(0, s.posteriorVariance[0]);
            assertEquals(1, s.posteriorMeanX0[0], 1e-15);
            assertEquals(0, s.posteriorMeanXt[0]);
        }
    }

    /** noised then predictX0 with the same noise gives x_0 back; at() gathers one coefficient per example. */
    @Test
    void predictX0InvertsNoised() {
        DiffusionSchedule s = DiffusionSchedule.of("cosine", 20);
        Generator g = new Generator(4);
        Tensor x0 = Tensor.uniform(g, -1, 1, new int[] {3, 1, 4, 4}, DType.FLOAT64, Device.CPU);
        Tensor noise = Tensor.normal(g, 0, 1, x0.shape(), DType.FLOAT64, Device.CPU);
        long[] t = {7, 7, 7};
        Tensor back = s.predictX0(s.noised(x0, t, noise), 7, noise);
        assertArrayEquals(x0.toDoubleArray(), back.toDoubleArray(), 1e-12);
        Tensor picked = DiffusionSchedule.at(s.alphaBar, new long[] {0, 19, 5}, x0);
        assertArrayEquals(new int[] {3, 1, 1, 1}, picked.shape());
        assertArrayEquals(new double[] {s.alphaBar[0], s.alphaBar[19], s.alphaBar[5]}, picked.toDoubleArray(), 0);
    }

    @Test
    void badArgumentsAreNamed() {
        var kind = assertThrows(IllegalArgumentException.class, () -> DiffusionSchedule.of("quadratic", 10));
        assertTrue(kind.getMessage().contains("'quadratic' is not one of linear, cosine"), kind.getMessage());
        var steps = assertThrows(IllegalArgumentException.class, () -> DiffusionSchedule.of("linear", 0));
        assertTrue(steps.getMessage().contains("steps must be >= 1, got 0"), steps.getMessage());
    }
}
