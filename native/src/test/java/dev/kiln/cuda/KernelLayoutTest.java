package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** KernelLayout.merge: fewer dims, the same storage offset for every row-major element index. */
class KernelLayoutTest {
    /** kiln.cuh's strided_offset, in Java. */
    private static int offset(int i, int[] shape, int[] strides) {
        int off = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            off += (i % shape[d]) * strides[d];
            i /= shape[d];
        }
        return off;
    }

    @Test
    void contiguousOperandsBecomeOneDimAndBroadcastOnesKeepTheirSplit() {
        Tensor x = Tensor.zeros(2, 3, 4);
        KernelLayout.Merged m = KernelLayout.merge(new int[] {2, 3, 4}, nd(x), nd(x));
        assertArrayEquals(new int[] {24}, m.shape());
        assertArrayEquals(new int[] {1}, m.strides()[1]);
        Tensor row = Tensor.zeros(1, 3, 1);   // broadcast over dims 0 and 2
        m = KernelLayout.merge(new int[] {2, 3, 4}, nd(x), nd(row));
        assertArrayEquals(new int[] {2, 3, 4}, m.shape());
        assertArrayEquals(new int[] {0, 1, 0}, m.strides()[1]);
        m = KernelLayout.merge(new int[] {5, 1, 4}, nd(Tensor.zeros(4, 5).t().unsqueeze(1)));   // (5, 1, 4), strides (1, -, 5)
        assertArrayEquals(new int[] {5, 4}, m.shape());
        assertArrayEquals(new int[] {1, 5}, m.strides()[0]);
        m = KernelLayout.merge(new int[] {1, 1}, nd(Tensor.zeros(1, 1)));
        assertEquals(0, m.shape().length);
    }

    @Test
    void linearLayoutsAreContiguousOrOneBroadcastScalar() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertTrue(KernelLayout.merge(new int[] {2, 3, 4}, nd(x), nd(x)).linear(false, false));
        KernelLayout.Merged withScalar = KernelLayout.merge(new int[] {2, 3, 4}, nd(Tensor.zeros(1, 1, 1)), nd(x));
        assertTrue(withScalar.linear(true, false));
        assertFalse(withScalar.linear(false, false), "a broadcast scalar where only contiguous operands are allowed");
        assertEquals(1, withScalar.scalar(0));
        assertEquals(0, withScalar.scalar(1));
        assertFalse(KernelLayout.merge(new int[] {2, 3, 4}, nd(x), nd(Tensor.zeros(1, 3, 1))).linear(true, true), "a broadcast row");
        assertFalse(KernelLayout.merge(new int[] {4, 3}, nd(Tensor.zeros(3, 4).t())).linear(false), "a transpose");
        assertFalse(KernelLayout.merge(new int[] {6}, nd(Tensor.zeros(12).slice(0, 0, 12, 2))).linear(false), "a step of 2");
        KernelLayout.Merged single = KernelLayout.merge(new int[] {1, 1}, nd(Tensor.zeros(1, 1)), nd(Tensor.zeros(1)));
        assertTrue(single.linear(false, false), "one element is contiguous");
        assertEquals(0, single.scalar(0));
    }

    @Test
    void mergedLayoutsAddressEveryElementAsTheOriginalDoes() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int rank = 1 + r.nextInt(5);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + r.nextInt(4);
            }
            // Operand a: a random permutation of a contiguous tensor, sliced; b: shape with random broadcast dims.
            int[] perm = java.util.stream.IntStream.range(0, rank).toArray();
            for (int d = rank - 1; d > 0; d--) {   // Fisher-Yates
                int e = r.nextInt(d + 1);
                int t = perm[d];
                perm[d] = perm[e];
                perm[e] = t;
            }
            int[] baseShape = new int[rank];
            for (int d = 0; d < rank; d++) {
                baseShape[perm[d]] = shape[d] + (r.nextBoolean() ? 1 : 0);
            }
            Tensor a = Tensor.zeros(baseShape).permute(perm);
            for (int d = 0; d < rank; d++) {
                a = a.narrow(d, a.size(d) - shape[d], shape[d]);
            }
            int[] bShape = shape.clone();
            for (int d = 0; d < rank; d++) {
                bShape[d] = r.nextInt(3) == 0 ? 1 : shape[d];
            }
            Tensor b = Tensor.zeros(bShape);
            KernelLayout.Merged m = KernelLayout.merge(shape, nd(a), nd(b));
            Tensor[] ops = {a, b};
            for (int k = 0; k < 2; k++) {
                int[] original = Shape.broadcastStrides(ops[k].shape(), ops[k].stride(), shape);
                for (int i = 0; i < Shape.numel(shape); i++) {
                    assertEquals(offset(i, shape, original), offset(i, m.shape(), m.strides()[k]),
                            "operand " + k + " element " + i + " of " + java.util.Arrays.toString(shape));
                }
            }
        }
    }
}
