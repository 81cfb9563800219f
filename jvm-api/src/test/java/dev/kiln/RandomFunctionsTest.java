package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** randperm, randint, the default generator and argmax(dim). */
class RandomFunctionsTest {
    @Test
    void randpermIsAPermutationFixedByTheSeed() {
        for (int n : new int[] {0, 1, 2, 7, 1000}) {
            long[] p = Tensor.randperm(n, new Generator(5)).toLongArray();
            long[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i], "randperm(" + n + ") is not a permutation: " + Arrays.toString(p));
            }
            assertArrayEquals(p, Tensor.randperm(n, new Generator(5)).toLongArray());
        }
        assertFalse(Arrays.equals(Tensor.randperm(50, new Generator(5)).toLongArray(),
                Tensor.randperm(50, new Generator(6)).toLongArray()));
        assertEquals(DType.INT64, Tensor.randperm(3).dtype());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.randperm(-1));
        assertTrue(e.getMessage().contains("randperm") && e.getMessage().contains("-1"), e.getMessage());
    }

    /** Every element lands in every position about equally often: no Fisher-Yates off-by-one bias. */
    @Test
    void randpermIsUniform() {
        int n = 4;
        int trials = 4000;
        int[][] counts = new int[n][n];
        Generator g = new Generator(11);
        for (int t = 0; t < trials; t++) {
            long[] p = Tensor.randperm(n, g).toLongArray();
            for (int i = 0; i < n; i++) {
                counts[i][(int) p[i]]++;
            }
        }
        for (int[] row : counts) {
            for (int c : row) {
                assertTrue(Math.abs(c - trials / n) < 150, "position counts " + Arrays.deepToString(counts));
            }
        }
    }

    /** randint covers [low, high) about evenly, is fixed by the seed, and refuses an empty or overflowing range. */
    @Test
    void randintIsUniformOverItsRange() {
        long[] r = Tensor.randint(new Generator(9), -3, 5, new int[] {8000}, Device.CPU).toLongArray();
        int[] counts = new int[8];
        for (long v : r) {
            assertTrue(v >= -3 && v < 5, "randint(-3, 5) gave " + v);
            counts[(int) (v + 3)]++;
        }
        for (int c : counts) {
            assertTrue(Math.abs(c - 1000) < 120, "counts " + Arrays.toString(counts));
        }
        Tensor t = Tensor.randint(new Generator(9), 0, 1000, new int[] {2, 3}, Device.CPU);
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(t.toLongArray(), Tensor.randint(new Generator(9), 0, 1000, new int[] {2, 3}, Device.CPU).toLongArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.randint(new Generator(1), 4, 4, new int[] {1}, Device.CPU));
        assertTrue(e.getMessage().contains("randint") && e.getMessage().contains("high 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.randint(new Generator(1), Long.MIN_VALUE, 1, new int[] {1}, Device.CPU));
    }

    @Test
    void unseededFunctionsDrawFromTheDefaultGenerator() {
        Generator.defaultGenerator().manualSeed(3);
        float[] a = Tensor.randn(5).toFloatArray();
        float[] b = Tensor.rand(2, 2).toFloatArray();
        assertArrayEquals(Tensor.randn(new Generator(3), 5).toFloatArray(), a);
        Generator.defaultGenerator().manualSeed(3);
        assertArrayEquals(a, Tensor.randn(5).toFloatArray());
        assertArrayEquals(b, Tensor.rand(2, 2).toFloatArray());
    }

    @Test
    void argmaxAlongADim() {
        Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 7, 0, 3}, 2, 3);
        assertArrayEquals(new long[] {1, 0}, x.argmax(1).toLongArray());
        assertArrayEquals(new long[] {1, 0, 1}, x.argmax(0).toLongArray());
        assertArrayEquals(new long[] {0, 1}, x.argmin(1).toLongArray());
    }
}
