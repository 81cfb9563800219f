package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DatasetTest {
    private static TensorDataset range(int n) {
        return new TensorDataset(Tensor.arange(n));
    }

    @Test
    void tensorDatasetSlicesEveryTensorAlongItsFirstDim() {
        TensorDataset d = new TensorDataset(Tensor.arange(6).reshape(3, 2), Tensor.fromArray(new float[] {7, 8, 9}, 3));
        assertEquals(3, d.size());
        Tensor[] s = d.get(1);
        assertArrayEquals(new long[] {2, 3}, s[0].toLongArray());
        assertEquals(8f, s[1].item());
        Tensor[] b = d.getBatch(new int[] {2, 0});
        assertArrayEquals(new long[] {4, 5, 0, 1}, b[0].toLongArray());
        assertArrayEquals(new float[] {9, 7}, b[1].toFloatArray());
    }

    @Test
    void tensorDatasetRejectsMismatchedTensorsAndBadIndices() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[3, 2]"), e.getMessage());
        var i = assertThrows(IndexOutOfBoundsException.class, () -> range(3).get(3));
        assertTrue(i.getMessage().contains("index 3") && i.getMessage().contains("3 samples"), i.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> range(3).getBatch(new int[] {0, -1}));
    }

    @Test
    void randomSplitPartitionsTheDataset() {
        Subset[] parts = Subset.randomSplit(range(10), new int[] {3, 7}, new Generator(2));
        assertEquals(3, parts[0].size());
        assertEquals(7, parts[1].size());
        long[] all = IntStream.range(0, 2).boxed()
                .flatMapToLong(p -> Arrays.stream(parts[p].getBatch(IntStream.range(0, parts[p].size()).toArray())[0]
                        .toLongArray()))
                .sorted().toArray();
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);
        assertEquals(parts[0].get(1)[0].item(), parts[0].getBatch(new int[] {1})[0].toLongArray()[0]);
    }

    @Test
    void randomSplitByFractionsHandsTheRemainderOutRoundRobin() {
        Subset[] parts = Subset.randomSplit(range(10), new double[] {0.25, 0.25, 0.5}, new Generator(2));
        assertArrayEquals(new int[] {3, 2, 5}, Arrays.stream(parts).mapToInt(Subset::size).toArray());
    }

    @Test
    void randomSplitRejectsLengthsThatDoNotAddUp() {
        var e = assertThrows(IllegalArgumentException.class, () -> Subset.randomSplit(range(10), new int[] {3, 3}, new Generator(1)));
        assertTrue(e.getMessage().contains("(6)") && e.getMessage().contains("(10)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Subset.randomSplit(range(10), new double[] {0.5, 0.6}, new Generator(1)));
    }
}
