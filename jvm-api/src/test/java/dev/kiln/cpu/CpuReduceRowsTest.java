package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.TensorAssert;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.api.Test;

/**
 * float32 sums and means over a contiguous tensor's leading dims (CpuReduce's row-by-row path: bias gradients) against
 * the float64 sums: several column blocks, dims given out of order, keepdim, views starting inside their storage,
 * NaN confined to its column, the same bits at any thread count, and the bits of each column summed row after row in
 * double (the Vector API's columns too).
 */
class CpuReduceRowsTest {
    static Tensor random(long seed, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, DType.FLOAT32, Device.CPU);
    }

    /** x's float32 sum and mean over dims against its float64 ones (shared with CpuReduceRunsTest). */
    static void assertMatchesFloat64(Tensor x, int[] dims, boolean keepdim) {
        Tensor x64 = x.to(DType.FLOAT64);
        TensorAssert.assertClose("sum over " + java.util.Arrays.toString(dims), x64.sum(dims, keepdim).to(DType.FLOAT32),
                x.sum(dims, keepdim), Tolerances.BALANCED.float32());
        TensorAssert.assertClose("mean over " + java.util.Arrays.toString(dims), x64.mean(dims, keepdim).to(DType.FLOAT32),
                x.mean(dims, keepdim), Tolerances.BALANCED.float32());
    }

    @Test
    void leadingDims_matchTheFloat64Sums() {
        assertMatchesFloat64(random(1, 300, 130), new int[] {0}, false);         // 3 column blocks, the last partial
        assertMatchesFloat64(random(2, 5, 7, 150), new int[] {1, 0}, true);      // dims out of order, keepdim
        assertMatchesFloat64(random(3, 5, 7, 3, 4), new int[] {0, 1}, false);    // two kept dims
        assertMatchesFloat64(random(4, 1, 1), new int[] {0}, false);
        Tensor inside = random(5, 41, 66).narrow(0, 3, 37);                       // contiguous, at offset 3 * 66
        assertTrue(inside.isContiguous());
        assertMatchesFloat64(inside, new int[] {0}, true);
    }

    @Test
    void nan_staysInItsColumn() {
        float[] v = new float[200 * 70];
        v[123 * 70 + 69] = Float.NaN;
        Tensor s = Tensor.of(v).reshape(200, 70).sum(new int[] {0}, false);
        float[] out = s.toFloatArray();
        for (int c = 0; c < 70; c++) {
            assertEquals(c == 69, Float.isNaN(out[c]), "column " + c);
        }
    }

    @Test
    void sums_areTheSameAtAnyThreadCount() {
        Tensor x = random(6, 513, 300);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = x.sum(new int[] {0}, false).toFloatArray();
            Parallel.setThreads(Parallel.maxThreads());
            assertArrayEquals(one, x.sum(new int[] {0}, false).toFloatArray());
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void sums_areEachColumnAddedRowAfterRowInDouble_bitForBit() {
        // 150 columns: whole vectors of 8 or 16 on the Vector API where it is in use, then a tail one by one
        Tensor x = random(7, 41, 150).narrow(0, 2, 37);
        float[] v = x.contiguous().toFloatArray();
        float[] expected = new float[150];
        for (int c = 0; c < 150; c++) {
            double s = 0;
            for (int r = 0; r < 37; r++) {
                s += v[r * 150 + c];
            }
            expected[c] = (float) s;
        }
        assertArrayEquals(expected, x.sum(new int[] {0}, false).toFloatArray());
    }
}
