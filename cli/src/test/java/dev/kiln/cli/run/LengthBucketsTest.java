package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.cli.run.TextBatch.Example;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The batches of `kiln run textcls` are those of its twin. Expected values from scripts/workloads/textcls.py:
 * <pre>cd scripts/workloads && /usr/bin/python3 -c "from textcls import training_batches
 * ex = [(b'x' * (1 + i % 3), i) for i in range(10)]
 * print([[l for _, l in b] for b in training_batches(ex, 3, 42 * 1000003 + 2)])
 * ex = [(b'x' * (1 + i % 4), i) for i in range(20)]
 * print([l for b in training_batches(ex, 1, 3) for _, l in b])"</pre>
 */
class LengthBucketsTest {
    /** Examples labelled 0 .. n - 1, example i of length 1 + i % period. */
    private static List<Example> examples(int n, int period) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Example(new byte[1 + i % period], i));
        }
        return out;
    }

    private static List<List<Integer>> labels(List<List<Example>> batches) {
        return batches.stream().map(b -> b.stream().map(Example::label).toList()).toList();
    }

    @Test
    void aPoolIsSortedLongestFirstWithTiesInTheTwinsShuffledOrder() {
        var batches = LengthBuckets.training(examples(10, 3), 3, 42 * 1000003L + 2);
        assertEquals(List.of(List.of(5, 8, 2), List.of(1, 7, 4), List.of(3, 6, 9), List.of(0)), labels(batches));
    }

    @Test
    void eachPoolOfSixteenBatchesIsSortedOnItsOwn() {
        var batches = LengthBuckets.training(examples(20, 4), 1, 3);
        assertEquals(List.of(7, 19, 15, 3, 18, 10, 6, 14, 5, 17, 9, 12, 8, 0, 4, 16, 11, 2, 1, 13),
                labels(batches).stream().map(b -> b.get(0)).toList());
    }

    @Test
    void validationIsSortedByLengthAlone() {
        var batches = LengthBuckets.validation(examples(5, 2), 2);
        assertEquals(List.of(List.of(1, 3), List.of(0, 2), List.of(4)), labels(batches));
    }
}
