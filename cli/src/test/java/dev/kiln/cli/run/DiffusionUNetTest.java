package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The U-Net's step features and its shapes; that its output depends on the step. */
class DiffusionUNetTest {
    @Test
    void timeFeaturesAreSinesThenCosinesOfGeometricFrequencies() {
        Tensor f = DiffusionUNet.timeFeatures(Tensor.fromArray(new double[] {0, 3}, 2));
        assertArrayEquals(new int[] {2, 32}, f.shape());
        double[] v = f.toDoubleArray();
        for (int i = 0; i < 16; i++) {
            double frequency = Math.pow(10000, -i / 15.0);
            assertEquals(0, v[i], 1e-15);
            assertEquals(1, v[16 + i], 1e-15);
            assertEquals(Math.sin(3 * frequency), v[32 + i], 1e-12, "sin " + i);
            assertEquals(Math.cos(3 * frequency), v[48 + i], 1e-12, "cos " + i);
        }
    }

    @Test
    void predictsNoiseOfTheImagesShapeThatDependsOnTheStep() {
        DiffusionUNet net = new DiffusionUNet(new Generator(1));
        Tensor x = Tensor.normal(new Generator(2), 0, 1, new int[] {2, 1, 28, 28}, DType.FLOAT32, Device.CPU);
        Tensor early = net.forward(x, Tensor.fromArray(new float[] {0, 0}, 2));
        Tensor late = net.forward(x, Tensor.fromArray(new float[] {900, 900}, 2));
        assertArrayEquals(new int[] {2, 1, 28, 28}, early.shape());
        assertTrue(early.sub(late).abs().max().item() > 1e-4, "the step changes nothing");
    }
}
