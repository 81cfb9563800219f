package dev.kiln.nn.summary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Output shapes, parameter counts and receptive fields of the model summary. */
class ModelSummaryTest {
    /** The course network of issue 2. */
    private static Sequential courseNetwork() {
        Generator g = new Generator(0);
        return new Sequential(new Conv2d(3, 4, 3, 1, 1, g), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 16, 5, 2, 2, g), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 7, 1, 3, 2, 1, true, g), new ReLU());
    }

    @Test
    void courseNetwork_hasReceptiveField112_atOutput122() {
        ModelSummary s = ModelSummary.of(courseNetwork(), 1, 3, 1024, 1024);
        assertArrayEquals(new int[] {1, 32, 122, 122}, s.outputShape());
        // by hand, size r += (k_eff - 1) * jump, jump *= stride, start += ((k_eff - 1) / 2 - pad) * jump:
        // conv3: r 3, j 1, s 0; pool2: 4, 2, 0.5; conv5/s2/p2: 12, 4, 0.5; pool2: 16, 8, 2.5;
        // conv7/d2/p3 (k_eff 13): 16 + 12 * 8 = 112, 8, 2.5 + (6 - 3) * 8 = 26.5
        assertEquals(new ReceptiveField(112, 112, 8, 8, 26.5, 26.5), s.receptiveField());
        List<ModelSummary.Row> rows = s.rows();
        assertEquals(8, rows.size());
        assertEquals(new ReceptiveField(4, 4, 2, 2, 0.5, 0.5), rows.get(2).receptiveField());
        assertArrayEquals(new int[] {1, 16, 256, 256}, rows.get(3).outputShape());
        // parameters: 3*4*9 + 4, 4*16*25 + 16, 16*32*49 + 32
        assertEquals(112, rows.get(0).parameters());
        assertEquals(1616, rows.get(3).parameters());
        assertEquals(25120, rows.get(6).parameters());
        assertEquals(112 + 1616 + 25120, s.parameterCount());
        assertTrue(s.toString().contains("112x112 jump 8x8 start (26.5, 26.5)"), s.toString());
    }

    @Test
    void flattenAndLinear_endTheReceptiveField_andNestedSequentialsAreWalked() {
        Generator g = new Generator(1);
        Sequential features = new Sequential(new Conv2d(1, 2, 3, 1, 0, g), new BatchNorm2d(2), new AvgPool2d(2));
        Sequential m = new Sequential(features, new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(2, 3, g));
        ModelSummary s = ModelSummary.of(m, 2, 1, 10, 10);
        assertEquals(List.of("0.0", "0.1", "0.2", "1", "2", "3"), s.rows().stream().map(ModelSummary.Row::name).toList());
        assertEquals(new ReceptiveField(4, 4, 2, 2, 1.5, 1.5), s.rows().get(2).receptiveField());
        // adaptive pool of a 4x4 map to 1x1 is a 4x4 window: 4 + 3 * 2 = 10, the whole input
        assertEquals(10, s.rows().get(3).receptiveField().sizeH());
        assertNull(s.rows().get(4).receptiveField());
        assertArrayEquals(new int[] {2, 3}, s.outputShape());
        assertEquals(m.parameterCount(), s.parameterCount());
    }

    @Test
    void summary_doesNotMoveRunningStatistics_andRestoresTrainingMode() {
        BatchNorm2d bn = new BatchNorm2d(1);
        Sequential m = new Sequential(bn);
        ModelSummary.of(m, 1, 1, 2, 2);
        assertTrue(m.isTraining());
        assertEquals(0, bn.namedBuffers().get("num_batches_tracked").toLongArray()[0]);
        assertTrue(bn.namedBuffers().get("running_mean").allclose(Tensor.zeros(1), 0, 0));
    }
}
