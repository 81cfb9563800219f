package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataLoaderTest {
    /** x (10, 2) with rows (i, 10 + i), y (10) = i: every batch says which samples it holds. */
    private static TensorDataset tens() {
        float[] x = new float[20];
        long[] y = new long[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 + i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(x, 10, 2), Tensor.fromArray(y, 10));
    }

    private static List<long[]> labels(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Tensor[] b : loader) {
            long[] y = b[1].toLongArray();
            float[] x = b[0].toFloatArray();
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i], x[2 * i], "x and y rows of one sample stay together");
                assertEquals(10 + y[i], x[2 * i + 1]);
            }
            out.add(y);
        }
        return out;
    }

    @Test
    void sequentialBatchesKeepOrDropTheShortLastOne() {
        DataLoader keep = DataLoader.builder(tens()).batchSize(4).build();
        assertEquals(3, keep.size());
        List<long[]> b = labels(keep);
        assertEquals(3, b.size());
        assertArrayEquals(new long[] {0, 1, 2, 3}, b.get(0));
        assertArrayEquals(new long[] {8, 9}, b.get(2));
        DataLoader drop = DataLoader.builder(tens()).batchSize(4).dropLast(true).build();
        assertEquals(2, drop.size());
        assertEquals(2, labels(drop).size());
        assertEquals(0, DataLoader.builder(tens()).batchSize(11).dropLast(true).build().size());
    }

    @Test
    void shuffleCoversEverySampleOnceAndEachEpochDrawsANewOrder() {
        DataLoader loader = DataLoader.builder(tens()).batchSize(3).shuffle(true).generator(new Generator(1)).build();
        long[] first = flatten(labels(loader));
        long[] second = flatten(labels(loader));
        long[] sorted = first.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        assertFalse(Arrays.equals(first, second), "two epochs drew the same order");
        DataLoader again = DataLoader.builder(tens()).batchSize(3).shuffle(true).generator(new Generator(1)).build();
        assertArrayEquals(first, flatten(labels(again)), "the same seed gives the same order");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void workersDeliverTheSameBatchesInOrder(int workers) {
        DataLoader plain = DataLoader.builder(tens()).batchSize(3).shuffle(true).generator(new Generator(4)).build();
        DataLoader ahead = DataLoader.builder(tens()).batchSize(3).shuffle(true).generator(new Generator(4))
                .numWorkers(workers).prefetchFactor(1).build();
        assertArrayEquals(flatten(labels(plain)), flatten(labels(ahead)));
    }

    @Test
    void aWorkerFailureNamesTheBatch() {
        Dataset broken = new Dataset() {
            @Override
            public int size() {
                return 6;
            }

            @Override
            public Tensor[] get(int index) {
                if (index == 4) {
                    throw new IllegalStateException("bad sample 4");
                }
                return new Tensor[] {Tensor.scalar(index, dev.kiln.DType.FLOAT32)};
            }
        };
        Iterator<Tensor[]> it = DataLoader.builder(broken).batchSize(2).numWorkers(2).build().iterator();
        assertArrayEquals(new float[] {0, 1}, it.next()[0].toFloatArray());
        it.next();
        var e = assertThrows(IllegalStateException.class, it::next);
        assertTrue(e.getMessage().contains("batch 2") && e.getMessage().contains("bad sample 4"), e.getMessage());
    }

    @Test
    void genericDatasetsAreCollatedByStacking() {
        Dataset squares = new Dataset() {
            @Override
            public int size() {
                return 5;
            }

            @Override
            public Tensor[] get(int index) {
                return new Tensor[] {Tensor.fromArray(new float[] {index, index * index}, 2)};
            }
        };
        Tensor[] batch = DataLoader.builder(squares).batchSize(2).build().iterator().next();
        assertArrayEquals(new int[] {2, 2}, batch[0].shape());
        assertArrayEquals(new float[] {0, 0, 1, 1}, batch[0].toFloatArray());
    }

    @Test
    void batchesArriveOnTheRequestedDevice() {
        Device emu = Device.parse("cuda-emu:0");
        Tensor[] b = DataLoader.builder(tens()).batchSize(4).numWorkers(1).device(emu).build().iterator().next();
        assertEquals(emu, b[0].device());
        assertEquals(emu, b[1].device());
        assertArrayEquals(new long[] {0, 1, 2, 3}, b[1].toLongArray());
    }

    /** pinMemory stages each batch's copy; the batches are the same, and a loader without a device is refused. */
    @Test
    void pinnedBatchesMatchThePlainOnes() {
        Device emu = Device.parse("cuda-emu:0");
        List<Tensor[]> plain = new ArrayList<>();
        DataLoader.builder(tens()).batchSize(3).device(emu).build().forEach(plain::add);
        List<Tensor[]> pinned = new ArrayList<>();
        DataLoader.builder(tens()).batchSize(3).device(emu).pinMemory(true).numWorkers(2).build().forEach(pinned::add);
        assertEquals(plain.size(), pinned.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(emu, pinned.get(i)[0].device());
            assertArrayEquals(plain.get(i)[0].toFloatArray(), pinned.get(i)[0].toFloatArray());
            assertArrayEquals(plain.get(i)[1].toLongArray(), pinned.get(i)[1].toLongArray());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tens()).pinMemory(true).build());
        assertTrue(e.getMessage().contains("pinMemory") && e.getMessage().contains("device"), e.getMessage());
    }

    @Test
    void anEpochEndsWithNoSuchElement() {
        Iterator<Tensor[]> it = DataLoader.builder(tens()).batchSize(10).build().iterator();
        it.next();
        assertFalse(it.hasNext());
        var e = assertThrows(NoSuchElementException.class, it::next);
        assertTrue(e.getMessage().contains("DataLoader"), e.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tens()).batchSize(0));
        assertTrue(e.getMessage().contains("batch_size") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tens()).numWorkers(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(tens()).prefetchFactor(0));
    }

    private static long[] flatten(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }
}
