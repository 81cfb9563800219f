package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shards as PyTorch's DistributedSampler makes them: padding, dropLast, epochs. */
class DistributedSamplerTest {
    private static TensorDataset dataset(int n) {
        return new TensorDataset(Tensor.arange(n).reshape(n, 1));
    }

    private static int[][] shards(int n, int ranks, boolean shuffle, boolean dropLast, int epoch) {
        int[][] out = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            DistributedSampler s = new DistributedSampler(dataset(n), ranks, r, shuffle, 42, dropLast);
            s.setEpoch(epoch);
            out[r] = s.epochIndices();
            assertEquals(s.size(), out[r].length);
        }
        return out;
    }

    @Test
    void evenSplit_shardsAreDisjointAndCoverTheDataset() {
        int[][] s = shards(12, 3, true, false, 0);
        int[] all = Arrays.stream(s).flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(Tensor.arange(12).toLongArray(), Arrays.stream(all).asLongStream().toArray());
    }

    @Test
    void unevenSplit_padsByRepeatingTheStart_asPyTorch() {
        // 10 samples on 4 ranks, in order: [0..9, 0, 1]; rank r takes every 4th from r
        int[][] s = shards(10, 4, false, false, 0);
        assertArrayEquals(new int[] {0, 4, 8}, s[0]);
        assertArrayEquals(new int[] {1, 5, 9}, s[1]);
        assertArrayEquals(new int[] {2, 6, 0}, s[2]);
        assertArrayEquals(new int[] {3, 7, 1}, s[3]);
        // padding longer than the dataset repeats it again: 2 samples on 5 ranks
        assertArrayEquals(new int[] {0, 1, 0, 1, 0}, Arrays.stream(shards(2, 5, false, false, 0)).mapToInt(a -> a[0]).toArray());
    }

    @Test
    void dropLast_dropsTheTail_asPyTorch() {
        // ceil((10 - 4) / 4) = 2 per rank: the first 8 of the order
        int[][] s = shards(10, 4, false, true, 0);
        assertArrayEquals(new int[] {0, 4}, s[0]);
        assertArrayEquals(new int[] {3, 7}, s[3]);
    }

    @Test
    void everyRankDrawsTheSamePermutation_andEachEpochAnother() {
        int[][] e0 = shards(50, 2, true, false, 0);
        int[][] e0again = shards(50, 2, true, false, 0);
        int[][] e1 = shards(50, 2, true, false, 1);
        assertArrayEquals(e0[0], e0again[0]);
        assertFalse(Arrays.equals(e0[0], e1[0]));
        List<Integer> union = new ArrayList<>();
        for (int[] shard : e1) {
            Arrays.stream(shard).forEach(union::add);
        }
        assertEquals(50, union.stream().distinct().count());
    }

    @Test
    void dataLoaderTakesTheSampler_andRefusesShuffleBesideIt() {
        TensorDataset data = dataset(10);
        DistributedSampler sampler = new DistributedSampler(data, 2, 1, false, 0, false);
        DataLoader loader = DataLoader.builder(data).batchSize(2).sampler(sampler).build();
        assertEquals(3, loader.size());
        List<Long> seen = new ArrayList<>();
        for (Tensor[] batch : loader) {
            Arrays.stream(batch[0].toLongArray()).forEach(seen::add);
        }
        assertEquals(List.of(1L, 3L, 5L, 7L, 9L), seen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(data).sampler(sampler).shuffle(true).build());
        assertTrue(e.getMessage().contains("mutually exclusive"), e.getMessage());
    }

    @Test
    void rankOutsideTheReplicas_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DistributedSampler(dataset(4), 2, 2, true, 0, false));
        assertTrue(e.getMessage().contains("invalid rank 2"), e.getMessage());
    }
}
