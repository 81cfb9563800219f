package dev.kiln.property;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** matmul of random (possibly 1-D, batched, broadcast, transposed) operands against a naive triple loop. */
class MatmulProperties {
    @Provide
    Arbitrary<DType> floats() {
        return TensorArbitraries.floatTypes();
    }

    @Provide
    Arbitrary<int[]> batches() {
        return TensorArbitraries.shapes(0, 2, 1, 3);
    }

    /** (..., rows, cols), or (inner,) as a vector; made non-contiguous by storing it permuted. */
    private static Viewed operand(DType dtype, int[] batch, int rows, int cols, boolean vector, int inner, long seed) {
        int[] shape = vector ? new int[] {inner} : concat(batch, rows, cols);
        return Viewed.permutedOf(dtype, shape, seed, Viewed.Values.CONTINUOUS);
    }

    private static int[] concat(int[] batch, int a, int b) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = a;
        s[batch.length + 1] = b;
        return s;
    }

    /** torch.matmul by definition: promote 1-D operands, broadcast batch dims, sum over k, drop the promoted dims. */
    static NdArray naiveMatmul(NdArray a, NdArray b) {
        NdArray a2 = a.rank() == 1 ? a.unsqueeze(0) : a;
        NdArray b2 = b.rank() == 1 ? b.unsqueeze(1) : b;
        int m = a2.shape[a2.rank() - 2];
        int k = a2.shape[a2.rank() - 1];
        int n = b2.shape[b2.rank() - 1];
        int[] batch = Naive.broadcastShape(Arrays.copyOf(a2.shape, a2.rank() - 2), Arrays.copyOf(b2.shape, b2.rank() - 2));
        NdArray out = NdArray.build(concat(batch, m, n), idx -> {
            int r = idx.length;
            double s = 0;
            for (int p = 0; p < k; p++) {
                int[] ai = idx.clone();
                ai[r - 1] = p;
                int[] bi = idx.clone();
                bi[r - 2] = p;
                s += a2.broadcastGet(ai) * b2.broadcastGet(bi);
            }
            return s;
        });
        int[] shape = out.shape;
        if (b.rank() == 1) {
            shape = Arrays.copyOf(shape, shape.length - 1);
        }
        if (a.rank() == 1) {
            int[] s = new int[shape.length - 1];
            System.arraycopy(shape, 0, s, 0, shape.length - (b.rank() == 1 ? 1 : 2));
            if (b.rank() != 1) {
                s[s.length - 1] = shape[shape.length - 1];
            }
            shape = s;
        }
        return out.reshape(shape);
    }

    @Property(tries = 150)
    void matmulOfViewsWithBroadcastBatchMatchesNaive(@ForAll("floats") DType dtype, @ForAll("batches") int[] batchA,
                                                     @ForAll boolean dropBatchOfB, @ForAll boolean vecA, @ForAll boolean vecB,
                                                     @ForAll @IntRange(max = 4) int m, @ForAll @IntRange(max = 4) int k,
                                                     @ForAll @IntRange(max = 4) int n, @ForAll long seed) {
        // b's batch is a's with some dims set to 1 (broadcast), or none at all
        int[] batchB = dropBatchOfB ? new int[0] : batchA.clone();
        for (int i = 0; i < batchB.length; i++) {
            batchB[i] = (seed >>> i & 1) == 1 ? 1 : batchB[i];
        }
        Viewed a = operand(dtype, batchA, m, k, vecA, k, seed);
        Viewed b = operand(dtype, batchB, k, n, vecB, k, seed + 1);
        Tensor out = a.kiln().matmul(b.kiln());
        NdArray ref = naiveMatmul(a.ref(), b.ref());
        assertClose("matmul(" + a + ", " + b + ")", Viewed.tensor(dtype, ref.shape, ref.data), out, Tolerances.BALANCED);
    }
}
