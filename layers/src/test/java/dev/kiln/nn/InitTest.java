package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's default initialisations and the init helpers: bounds, and moments of large samples
 * (n = 40000 draws; the sample mean and std of a fixed seed are compared with the stated tolerance,
 * about 5 standard errors).
 */
class InitTest {
    /** A parameter's leaf, as a layer's weight() gives it. */
    private static Tensor param(int... shape) {
        return new Parameter(Tensor.zeros(shape, DType.FLOAT64, Device.CPU)).data();
    }

    private static double std(Tensor t) {
        return Math.sqrt(t.detach().var(new int[0], 0, false).item());
    }

    @Test
    void linearAndConvDefaults_areUniformWithinOneOverSqrtFanIn() {
        Linear l = new Linear(50, 800, new Generator(0));
        double bound = 1 / Math.sqrt(50);
        Tensor w = l.weight().detach();
        assertTrue(w.abs().max().item() <= bound);
        assertTrue(w.abs().max().item() > 0.99 * bound, "fills the range");
        // U(-b, b) has std b / sqrt(3)
        assertEquals(bound / Math.sqrt(3), Math.sqrt(w.var().item()), 0.03 * bound);
        assertTrue(l.bias().detach().abs().max().item() <= bound);
        Conv2d c = new Conv2d(6, 4, 3, 1, 1, 1, 2, true, new Generator(1));
        double convBound = 1 / Math.sqrt(3 * 9); // fan_in = in/groups * k * k
        assertTrue(c.weight().detach().abs().max().item() <= convBound);
        assertTrue(c.weight().detach().abs().max().item() > 0.9 * convBound);
    }

    @Test
    void sameGenerator_sameSeed_giveTheSameWeights() {
        Tensor a = new Linear(3, 3, new Generator(42)).weight();
        Tensor b = new Linear(3, 3, new Generator(42)).weight();
        Tensor c = new Linear(3, 3, new Generator(43)).weight();
        assertTrue(a.allclose(b, 0, 0));
        assertTrue(!a.allclose(c, 0, 0));
    }

    @Test
    void kaimingAndXavier_haveTheStatedStd() {
        Generator g = new Generator(2);
        Tensor p = param(200, 200); // fan_in = fan_out = 200, 40000 draws
        Init.kaimingNormal(p, 0, true, "relu", g);
        assertEquals(Math.sqrt(2.0 / 200), std(p), 0.02 * Math.sqrt(2.0 / 200));
        Init.kaimingUniform(p, 0, false, "relu", g);
        assertEquals(Math.sqrt(2.0 / 200), std(p), 0.02 * Math.sqrt(2.0 / 200));
        Init.xavierUniform(p, 1, g);
        assertEquals(Math.sqrt(2.0 / 400), std(p), 0.02 * Math.sqrt(2.0 / 400));
        Init.xavierNormal(p, 5.0 / 3, g);
        assertEquals(5.0 / 3 * Math.sqrt(2.0 / 400), std(p), 0.02 * 5.0 / 3 * Math.sqrt(2.0 / 400));
        Init.ones(p);
        assertTrue(p.allclose(Tensor.ones(new int[] {200, 200}, DType.FLOAT64, Device.CPU), 0, 0));
        Init.zeros(p);
        assertEquals(0, p.detach().abs().sum().item());
    }

    @Test
    void fans_countTheReceptiveField_andNeedTwoDims() {
        assertEquals(3 * 25, Init.fanIn(new int[] {8, 3, 5, 5}));
        assertEquals(8 * 25, Init.fanOut(new int[] {8, 3, 5, 5}));
        assertEquals(Math.sqrt(2 / 1.01), Init.calculateGain("leaky_relu", 0.1), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.fanIn(new int[] {4}));
        assertTrue(e.getMessage().contains("[4]"));
    }

    @Test
    void batchNormAndLayerNorm_startAsIdentity_embeddingIsStandardNormal() {
        BatchNorm2d bn = new BatchNorm2d(3);
        assertTrue(bn.weight().allclose(Tensor.ones(3), 0, 0) && bn.bias().allclose(Tensor.zeros(3), 0, 0));
        Embedding e = new Embedding(200, 200, null, new Generator(3));
        assertEquals(1.0, std(e.weight()), 0.02);
        assertEquals(0.0, e.weight().detach().mean().item(), 0.025);
    }
}
