package dev.kiln.nn.summary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.ResidualBlock;
import dev.kiln.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Blocks expanded, frozen parameters, multiply-adds and memory in the summary. */
class ModelSummaryBlocksTest {
    private static Sequential model(Generator g) {
        ResidualBlock block = new ResidualBlock(new Sequential(new Conv2d(2, 2, 3, 1, 1, g), new BatchNorm2d(2)), null, new ReLU());
        return new Sequential(new Conv2d(1, 2, 3, 1, 1, g), block, new Flatten(), new Linear(2 * 4 * 4, 3, g));
    }

    @Test
    void blocksAreExpandedBelowTheirRow() {
        ModelSummary s = ModelSummary.of(model(new Generator(0)), 1, 1, 4, 4);
        List<String> names = s.rows().stream().map(ModelSummary.Row::name).toList();
        assertEquals("0", names.get(0));
        assertEquals("1", names.get(1));
        assertTrue(names.containsAll(List.of("1.body", "1.body.0", "1.body.1")), names.toString());
        ModelSummary.Row block = s.rows().get(1);
        assertArrayEquals(new int[] {1, 2, 4, 4}, block.outputShape());
        ModelSummary.Row inner = s.rows().get(names.indexOf("1.body.0"));
        assertNull(inner.outputShape());
        assertEquals(2 * 2 * 9 + 2, inner.parameters());
        assertEquals(2, inner.depth());
        // multiply-adds: conv 1->2 3x3 on 4x4 (pad 1): 32 outputs x 9; the block's conv 2->2: 32 x 18; linear 32 -> 3
        assertEquals(32 * 9, s.rows().get(0).macs());
        assertEquals(32 * 18, block.macs());
        assertEquals(32 * 9 + 32 * 18 + 32 * 3, s.macs());
        assertTrue(s.activationBytes() > 0);
    }

    @Test
    void frozenParametersAreCountedAsNonTrainable() {
        Sequential m = model(new Generator(0));
        Linear head = (Linear) m.get(3);
        head.weight().requiresGrad_(false);
        ModelSummary s = ModelSummary.of(m, 1, 1, 4, 4);
        assertEquals(m.parameterCount() - 32 * 3, s.trainableParameterCount());
        assertEquals(3, s.rows().get(s.rows().size() - 1).trainableParameters(), "the head's bias only");
        String text = s.toString();
        assertTrue(text.contains("non-trainable 96") && text.contains("multiply-adds: 960"), text);
        assertTrue(text.contains("memory: input 64 B"), text);
    }
}
