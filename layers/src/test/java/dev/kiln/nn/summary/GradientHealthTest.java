package dev.kiln.nn.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Init;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Sigmoid;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The gradient-health report flags vanishing gradients of a deep sigmoid MLP (not of a He-initialised ReLU one), and exploding ones. */
class GradientHealthTest {
    /**
     * 12 Linear(32, 32) layers with an activation between them, loss mean(y²) on a random batch; heInit: weights
     * from Kaiming-normal for ReLU (variance 2 / fan_in, which keeps the signal's scale through ReLUs) instead of
     * Linear's default (variance 1 / (3 fan_in), which shrinks it by ~0.4 per layer).
     */
    private static GradientHealth deepMlp(Supplier<Layer> activation, boolean heInit) {
        Generator g = new Generator(3);
        Sequential m = new Sequential();
        for (int i = 0; i < 12; i++) {
            Linear linear = new Linear(32, 32, g);
            if (heInit) {
                Init.kaimingNormal(linear.weight(), 0, true, "relu", g);
            }
            m.add(linear);
            if (i < 11) {
                m.add(activation.get());
            }
        }
        m.to(DType.FLOAT64);
        m.forward(Tensor.normal(g, 0, 1, new int[] {16, 32}, DType.FLOAT64, Device.CPU)).square().mean().backward();
        return GradientHealth.of(m);
    }

    @Test
    void deepSigmoidMlp_firstLayersVanish_reluMlpIsHealthy() {
        GradientHealth sigmoid = deepMlp(Sigmoid::new, false);
        assertEquals(12, sigmoid.rows().size());
        // sigmoid' <= 1/4: each layer shrinks the gradient, so the first layer's is orders of magnitude below the last's
        assertEquals("0", sigmoid.rows().get(0).layer());
        assertEquals(GradientHealth.Status.VANISHING, sigmoid.rows().get(0).status(), sigmoid.toString());
        assertEquals(GradientHealth.Status.OK, sigmoid.rows().get(11).status(), sigmoid.toString());
        GradientHealth relu = deepMlp(ReLU::new, true);
        assertTrue(relu.flagged().isEmpty(), relu.toString());
    }

    @Test
    void hugeGradients_areExploding_andLayersWithoutGradientsAreReported() {
        Generator g = new Generator(4);
        Sequential m = new Sequential(new Linear(4, 4, g), new Linear(4, 1, g));
        m.forward(Tensor.ones(2, 4)).mul(1e6).sum().backward();
        GradientHealth h = GradientHealth.of(m);
        assertEquals(GradientHealth.Status.EXPLODING, h.rows().get(1).status(), h.toString());
        m.zeroGrad();
        assertEquals(GradientHealth.Status.NO_GRADIENT, GradientHealth.of(m).rows().get(0).status());
    }
}
