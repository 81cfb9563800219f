package dev.kiln.cli.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.Layer;
import dev.kiln.optim.Optimizer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training and evaluation release their per-step tensors as they go: on the emulated CUDA device the
 * memory held by live tensors is the same after every step once the optimizer has made its state,
 * and the same after an evaluation as before it (no waiting for the garbage collector).
 */
class TrainStepMemoryTest {
    private static LabeledImages data(int n) {
        Random r = new Random(5);
        float[] x = new float[n * 28 * 28];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return new LabeledImages(x, y, 28, 28);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet"})
    void deviceMemoryInUse_doesNotGrowAcrossSteps(String name) {
        Device d = Device.parse("cuda-emu:6"); // a device no other test uses, so its statistics are this test's alone
        Layer model = Models.create(name, new Generator(1));
        model.to(d);
        Optimizer opt = Optimizers.create("adam", model.parameters(), 1e-3);
        Batches batches = Batches.shuffled(data(24), 4, d, new Generator(2));
        TrainStep step = new TrainStep(model, opt);
        model.train();
        step.run(batches, 0); // makes Adam's moments, which live on
        long inUse = d.memoryStats().allocatedBytes();
        for (int b = 1; b < batches.count(); b++) {
            TrainStep.Result r = step.run(batches, b);
            assertTrue(Double.isFinite(r.lossSum()));
            assertEquals(inUse, d.memoryStats().allocatedBytes(), "bytes held by live tensors after step " + b);
        }
        Evaluation.of(model, data(10), 4, d, 10);
        assertEquals(inUse, d.memoryStats().allocatedBytes(), "bytes held by live tensors after an evaluation");
    }
}
