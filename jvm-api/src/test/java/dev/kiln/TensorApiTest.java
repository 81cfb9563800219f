package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Philox;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The tensor API itself: views and storage sharing, shape ops, creation ops, seeded random numbers, printing. */
class TensorApiTest {
    /** (3, 4) float64 holding 0..11. */
    private static Tensor grid() {
        return Tensor.arange(0, 12, 1, DType.FLOAT64, Device.CPU).reshape(3, 4);
    }

    // ---------------------------------------------------------------- views

    @Test
    void copyIntoATransposedNarrowedViewWritesThroughToTheBase() {
        Tensor base = grid();
        Tensor view = base.t().narrow(0, 1, 2); // columns 1 and 2 of base, as rows
        assertSame(base.storage(), view.storage());
        view.copy_(Tensor.fromArray(new double[] {-1, -2, -3}, 3)); // broadcast over the 2 rows
        assertArrayEquals(new double[] {0, -1, -1, 3, 4, -2, -2, 7, 8, -3, -3, 11}, base.toDoubleArray());
    }

    @Test
    void writesToTheBaseAreSeenThroughASteppedSlice() {
        Tensor base = grid();
        Tensor every2 = base.slice(1, 0, 4, 2);
        base.fill_(5);
        assertArrayEquals(new double[] {5, 5, 5, 5, 5, 5}, every2.toDoubleArray());
    }

    @Test
    void viewOfANonContiguousTensorThrowsAndSuggestsReshape() {
        Tensor t = grid().t();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(12));
        assertTrue(e.getMessage().contains("view") && e.getMessage().contains("[4, 3]")
                && e.getMessage().contains("use reshape"), e.getMessage());
    }

    @Test
    void reshapeOfANonContiguousTensorCopiesInRowMajorOrder() {
        Tensor base = grid();
        Tensor r = base.t().reshape(12);
        assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, r.toDoubleArray());
        r.fill_(0);
        assertEquals(66.0, base.sum().item()); // a copy: the base is untouched
    }

    @Test
    void reshapeAndViewOfAContiguousTensorShareStorage() {
        Tensor base = grid();
        Tensor v = base.view(2, 6);
        Tensor r = base.reshape(6, -1);
        assertSame(base.storage(), v.storage());
        assertSame(base.storage(), r.storage());
        assertArrayEquals(new int[] {6, 2}, r.shape());
    }

    @Test
    void viewMergesDimsThatAreContiguousWithinANonContiguousTensor() {
        Tensor t = Tensor.zeros(3, 4, 2).narrow(1, 0, 2); // (3, 2, 2), strides (8, 2, 1)
        assertFalse(t.isContiguous());
        assertArrayEquals(new int[] {8, 1}, t.view(3, 4).stride()); // the last two dims merge
        assertThrows(IllegalArgumentException.class, () -> t.view(12)); // the first does not: 8 != 2 * 2
    }

    @Test
    void squeezeUnsqueezeExpandAndFlattenGiveTorchShapes() {
        Tensor x = Tensor.zeros(1, 3, 1, 2);
        assertArrayEquals(new int[] {3, 2}, x.squeeze().shape());
        assertArrayEquals(new int[] {3, 1, 2}, x.squeeze(0).shape());
        assertArrayEquals(new int[] {1, 3, 1, 2}, x.squeeze(1).shape()); // size 3: unchanged
        assertArrayEquals(new int[] {1, 3, 1, 2, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {1, 1, 3, 1, 2}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {4, 1, 3, 5, 2}, x.expand(4, -1, -1, 5, 2).shape());
        assertArrayEquals(new int[] {6}, x.flatten().shape());
        assertArrayEquals(new int[] {1, 3, 2}, x.flatten(1, 2).shape());
        assertArrayEquals(new int[] {1}, Tensor.scalar(2, DType.FLOAT32).flatten().shape());
    }

    @Test
    void expandedViewsRepeatValuesWithoutCopying() {
        Tensor col = Tensor.of(1.0, 2.0).unsqueeze(1);
        Tensor e = col.expand(2, 3);
        assertArrayEquals(new int[] {0, 0}, new int[] {e.stride(1), e.storageOffset()});
        assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, e.toDoubleArray());
    }

    // ---------------------------------------------------------------- creation

    @Test
    void zerosOnesFullAndEye() {
        assertArrayEquals(new float[] {0, 0}, Tensor.zeros(2).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toFloatArray());
        Tensor f = Tensor.full(new int[] {2}, 2.5, DType.FLOAT64, Device.CPU);
        assertEquals(DType.FLOAT64, f.dtype());
        assertArrayEquals(new double[] {2.5, 2.5}, f.toDoubleArray());
        assertArrayEquals(new long[] {7}, Tensor.full(new int[] {1}, 7.9, DType.INT64, Device.CPU).toLongArray());
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3, DType.FLOAT64, Device.CPU).toDoubleArray());
    }

    @Test
    void arangeFollowsTorchEndpointRules() {
        assertArrayEquals(new long[] {0, 1, 2, 3}, Tensor.arange(4).toLongArray());
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, Tensor.arange(0, 1, 0.25, DType.FLOAT64, Device.CPU).toDoubleArray());
        assertArrayEquals(new double[] {3, 1}, Tensor.arange(3, 0, -2, DType.FLOAT64, Device.CPU).toDoubleArray());
        assertEquals(0, Tensor.arange(2, 2, 1, DType.FLOAT64, Device.CPU).numel());
    }

    @Test
    void linspaceIncludesBothEnds() {
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5, DType.FLOAT64, Device.CPU).toDoubleArray());
        assertArrayEquals(new double[] {3}, Tensor.linspace(3, 9, 1, DType.FLOAT64, Device.CPU).toDoubleArray());
        assertEquals(0, Tensor.linspace(0, 1, 0, DType.FLOAT64, Device.CPU).numel());
    }

    @Test
    void fromArrayCopiesTheJavaArray() {
        double[] data = {1, 2, 3, 4};
        Tensor t = Tensor.fromArray(data, 2, 2);
        data[0] = 99;
        assertEquals(1.0, t.get(0, 0));
        assertEquals(4.0, t.get(-1, -1));
        assertArrayEquals(new int[] {2, 2}, t.shape());
    }

    // ---------------------------------------------------------------- seeded random numbers

    @Test
    void sameSeedGivesSameValuesAndDrawsContinueTheCounter() {
        float[] a = Tensor.rand(new Generator(42), 6).toFloatArray();
        assertArrayEquals(a, Tensor.rand(new Generator(42), 6).toFloatArray());
        Generator g = new Generator(42);
        float[] first = Tensor.rand(g, 2).toFloatArray();
        float[] next = Tensor.rand(g, 4).toFloatArray();
        assertEquals(6, g.offset());
        // float32 element i of a draw at offset o is word i % 4 of Philox block o + i / 4; a draw reserves one counter
        // per element, so the second draw starts at block 2 and never reuses the first's words
        int[] w = new int[4];
        for (int i = 0; i < 6; i++) {
            Philox.block(42, i / 4, w);
            assertEquals((float) Philox.uniform24(w[i % 4]), a[i], "element " + i);
        }
        assertArrayEquals(Arrays.copyOf(a, 2), first);
        for (int i = 0; i < 4; i++) {
            Philox.block(42, 2 + i / 4, w);
            assertEquals((float) Philox.uniform24(w[i % 4]), next[i], "second draw, element " + i);
        }
        assertNotEquals(a[0], Tensor.rand(new Generator(43), 1).toFloatArray()[0]);
    }

    @Test
    void manualSeedRestartsTheSequence() {
        Generator g = new Generator(7);
        double[] a = Tensor.normal(g, 0, 1, new int[] {5}, DType.FLOAT64, Device.CPU).toDoubleArray();
        g.manualSeed(7);
        assertArrayEquals(a, Tensor.normal(g, 0, 1, new int[] {5}, DType.FLOAT64, Device.CPU).toDoubleArray());
    }

    @Test
    void uniformStaysInRangeWithTheRightMean() {
        int n = 20000;
        double[] v = Tensor.uniform(new Generator(1), -2, 3, new int[] {n}, DType.FLOAT64, Device.CPU).toDoubleArray();
        double sum = 0;
        for (double x : v) {
            assertTrue(x >= -2 && x < 3, "uniform value " + x + " outside [-2, 3)");
            sum += x;
        }
        // mean 0.5, standard deviation 5 / sqrt(12); the sample mean is within 5 standard errors
        assertEquals(0.5, sum / n, 5 * (5 / Math.sqrt(12)) / Math.sqrt(n));
    }

    @Test
    void normalHasTheRequestedMeanAndStd() {
        int n = 20000;
        double[] v = Tensor.normal(new Generator(2), 1.5, 2, new int[] {n}, DType.FLOAT64, Device.CPU).toDoubleArray();
        double mean = Arrays.stream(v).sum() / n;
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        // standard errors: std / sqrt(n) for the mean, about sqrt(2 / n) relative for the variance
        assertEquals(1.5, mean, 5 * 2 / Math.sqrt(n));
        assertEquals(4.0, var, 4.0 * 5 * Math.sqrt(2.0 / n));
    }

    @Test
    void bernoulliGivesZerosAndOnesAtTheRequestedRate() {
        int n = 20000;
        double[] v = Tensor.bernoulli(new Generator(3), 0.3, new int[] {n}, DType.FLOAT32, Device.CPU).toDoubleArray();
        double ones = 0;
        for (double x : v) {
            assertTrue(x == 0 || x == 1, "bernoulli value " + x);
            ones += x;
        }
        assertEquals(0.3, ones / n, 5 * Math.sqrt(0.3 * 0.7 / n));
        Tensor p = Tensor.of(0.0, 1.0, 0.0, 1.0);
        assertArrayEquals(new double[] {0, 1, 0, 1}, Tensor.bernoulli(new Generator(4), p).toDoubleArray());
    }

    // ---------------------------------------------------------------- printing, as torch's repr plus shape/dtype/device

    @Test
    void sumAndProdOfAMaskCountInInt64AsTorchDoes() {
        Tensor mask = Tensor.fromArray(new float[] {1, 0, 2, 0, 3, 4}, 2, 3).ne(0);       // (2, 3) bool
        assertEquals(DType.INT64, mask.sum().dtype());
        assertEquals(4, mask.sum().item());
        assertArrayEquals(new long[] {2, 2}, mask.sum(1).toLongArray());
        assertArrayEquals(new long[] {0, 0, 1}, mask.prod(new int[] {0}, false).toLongArray());
    }

    @Test
    void toStringFormatsLikeTorch() {
        assertEquals("tensor([1.0000, 2.5000], shape=[2], dtype=float32, device=cpu)", Tensor.of(1f, 2.5f).toString());
        assertEquals("tensor([-1.5000,  2.0000], shape=[2], dtype=float32, device=cpu)", Tensor.of(-1.5f, 2f).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e+00], shape=[2], dtype=float64, device=cpu)", Tensor.of(1e-5, 1.0).toString());
        assertEquals("tensor(3.5000, shape=[], dtype=float64, device=cpu)", Tensor.scalar(3.5, DType.FLOAT64).toString());
        assertEquals("tensor([ True, False], shape=[2], dtype=bool, device=cpu)",
                Tensor.fromArray(new boolean[] {true, false}, 2).toString());
        assertEquals("tensor([], shape=[0], dtype=float32, device=cpu)", Tensor.zeros(0).toString());
    }

    @Test
    void toStringOfARank3TensorSeparatesBlocksWithABlankLine() {
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]],"
                + " shape=[2, 2, 2], dtype=float32, device=cpu)",
                Tensor.arange(0, 8, 1, DType.FLOAT32, Device.CPU).reshape(2, 2, 2).toString());
    }

    @Test
    void toStringSummarisesLargeTensorsLikeTorch() {
        assertEquals("tensor([   0,    1,    2,  ..., 1997, 1998, 1999], shape=[2000], dtype=int64, device=cpu)",
                Tensor.arange(2000).toString());
        assertEquals("tensor([[   0,    1,    2,  ...,  697,  698,  699],\n        [ 700,  701,  702,  ..., 1397, 1398, 1399]],"
                + " shape=[2, 700], dtype=int64, device=cpu)", Tensor.arange(1400).reshape(2, 700).toString());
    }
}
