package dev.kiln.cli.run;

import dev.kiln.cli.run.TextBatch.Example;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which `kiln run textcls` batches its examples. An RNN steps through the longest sequence of a batch, so
 * batches of similar lengths waste little on padding: the epoch's shuffle is cut into pools of {@link #POOL} batches,
 * each pool sorted by length (longest first, ties in shuffled order) and cut into batches. The shuffle draws from
 * SplitMix64, which scripts/workloads/textcls.py computes too, so both twins see the same batches.
 */
final class LengthBuckets {
    static final int POOL = 16;

    private LengthBuckets() {
    }

    /** The training batches of an epoch whose own seed is seed. */
    static List<List<Example>> training(List<Example> examples, int batchSize, long seed) {
        List<Example> order = new ArrayList<>(examples);
        new SplitMix64(seed).shuffle(order);
        List<List<Example>> batches = new ArrayList<>();
        int pool = Math.multiplyExact(POOL, batchSize);
        for (int start = 0; start < order.size(); start += pool) {
            batches.addAll(sorted(order.subList(start, Math.min(order.size(), start + pool)), batchSize));
        }
        return batches;
    }

    /** The validation batches: all examples sorted by length, as the order does not change what they measure. */
    static List<List<Example>> validation(List<Example> examples, int batchSize) {
        return sorted(examples, batchSize);
    }

    private static List<List<Example>> sorted(List<Example> examples, int batchSize) {
        List<Example> s = new ArrayList<>(examples);
        s.sort(Comparator.comparingInt((Example e) -> e.text().length).reversed()); // stable: ties keep their order
        List<List<Example>> batches = new ArrayList<>();
        for (int start = 0; start < s.size(); start += batchSize) {
            batches.add(s.subList(start, Math.min(s.size(), start + batchSize)));
        }
        return batches;
    }
}
