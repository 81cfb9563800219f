package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cli.run.TextBatch.Example;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Padding never reaches either direction's final state: a padded batch gives each sequence's features as if alone. */
class TextClassifierTest {
    private static Example example(String text, int label) {
        return new Example(text.getBytes(StandardCharsets.US_ASCII), label);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru"})
    void paddedBatchGivesEachSequencesOwnFinalStatesInBothDirections(String cell) {
        TextClassifier net = new TextClassifier(cell, 3, new Generator(7));
        List<Example> examples = List.of(example("cat", 0), example("a dog ran", 1), example("x", 2), example("mats", 0));
        TextBatch batch = TextBatch.of(examples, Device.CPU);
        assertArrayEquals(new int[] {4, 9}, batch.tokens().shape());
        assertArrayEquals(new int[] {3, 9, 1, 4}, batch.lengths());
        assertArrayEquals(new long[] {'c', 'a', 't', TextBatch.PAD, TextBatch.PAD, TextBatch.PAD, TextBatch.PAD, TextBatch.PAD,
            TextBatch.PAD}, batch.tokens().narrow(0, 0, 1).reshape(-1).toLongArray());
        float[] padded = net.features(batch).toFloatArray();                    // (4, 2 H)
        int width = 2 * TextClassifier.HIDDEN;
        for (int i = 0; i < examples.size(); i++) {
            float[] alone = net.features(TextBatch.of(List.of(examples.get(i)), Device.CPU)).toFloatArray(); // (1, 2 H)
            for (int j = 0; j < width; j++) {
                String where = "sequence " + i + (j < TextClassifier.HIDDEN ? " forward " : " backward ") + j;
                assertEquals(alone[j], padded[i * width + j], 1e-6, where);
            }
        }
    }

    /** The test above would catch padding: reading the short sequence to the batch's end changes its state. */
    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru"})
    void paddingChangesTheStateWhenReadThrough(String cell) {
        TextClassifier net = new TextClassifier(cell, 3, new Generator(7));
        TextBatch padded = TextBatch.of(List.of(example("cat", 0), example("a dog ran", 1)), Device.CPU);
        TextBatch readThrough = new TextBatch(padded.tokens(), new int[] {9, 9}, padded.labels());
        Tensor gap = net.features(padded).sub(net.features(readThrough)).abs().max();
        assertTrue(gap.item() > 1e-3, "padding left the state unchanged: " + gap.item());
    }
}
