package dev.kiln.cpu;

import static dev.kiln.cpu.CpuReduceRowsTest.assertMatchesFloat64;
import static dev.kiln.cpu.CpuReduceRowsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * float32 sums and means read in place over contiguous runs (CpuReduce's per-output path: a convolution's bias gradient
 * over (0, 2, 3), a per-channel sum over (2, 3)) against the float64 sums: runs shorter and longer than a vector, with
 * a tail, views, NaN confined to its channel, the same bits at any thread count, and, on the Vector API, each run's
 * element q added to running sum q % RUN_LANES in double, the sums then added in halves.
 */
class CpuReduceRunsTest {
    @Test
    void runs_matchTheFloat64Sums() {
        assertMatchesFloat64(random(1, 6, 5, 28, 28), new int[] {0, 2, 3}, false); // runs of 784: vectors, then a tail
        assertMatchesFloat64(random(2, 6, 5, 7, 7), new int[] {2, 3}, true);       // 49: one or two vectors and a tail
        assertMatchesFloat64(random(3, 6, 5, 2, 3), new int[] {0, 2, 3}, false);   // 6: shorter than a vector
        assertMatchesFloat64(random(4, 4, 9, 40).narrow(2, 3, 35), new int[] {0, 2}, false); // runs inside longer rows
    }

    @Test
    void nan_staysInItsChannel() {
        float[] v = new float[3 * 4 * 100];
        v[(2 * 4 + 1) * 100 + 57] = Float.NaN;
        float[] out = Tensor.of(v).reshape(3, 4, 10, 10).sum(new int[] {0, 2, 3}, false).toFloatArray();
        for (int c = 0; c < 4; c++) {
            assertEquals(c == 1, Float.isNaN(out[c]), "channel " + c);
        }
    }

    @Test
    void sums_areTheSameAtAnyThreadCount() {
        Tensor x = random(5, 16, 24, 14, 14);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = x.sum(new int[] {0, 2, 3}, false).toFloatArray();
            Parallel.setThreads(Parallel.maxThreads());
            assertArrayEquals(one, x.sum(new int[] {0, 2, 3}, false).toFloatArray());
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void vectorRuns_addEachElementToItsLaneInDouble_bitForBit() {
        if (!CpuGemm.usesVectorApi()) {
            return; // the scalar path's four interleaved sums: covered by the float64 comparison above
        }
        int n = 3;
        int c = 2;
        int plane = 5 * ReduceF32Vector.RUN_LANES + 7;
        Tensor x = random(6, n, c, plane);
        float[] v = x.toFloatArray();
        float[] out = x.sum(new int[] {0, 2}, false).toFloatArray();
        for (int ch = 0; ch < c; ch++) {
            double[] lanes = new double[ReduceF32Vector.RUN_LANES];
            for (int img = 0; img < n; img++) {
                for (int q = 0; q < plane; q++) {
                    lanes[q % lanes.length] += v[(img * c + ch) * plane + q];
                }
            }
            assertEquals((float) halves(lanes, 0, lanes.length), out[ch], "channel " + ch);
        }
    }

    private static double halves(double[] a, int from, int count) {
        return count == 1 ? a[from] : halves(a, from, count / 2) + halves(a, from + count / 2, count - count / 2);
    }
}
