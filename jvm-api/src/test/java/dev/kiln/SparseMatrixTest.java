package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.Tolerances;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SparseMatrix on the CPU: worked cases, the CSR layout built from COO entries, the transpose, and
 * the products against dense float64 references on random patterns. (Every device runs the PyTorch
 * goldens of SparseGoldenTest and the native SparseTest; gradients are gradchecked in PrimitiveCases.)
 */
class SparseMatrixTest {
    /**
     * A = [[0, 2, 0],      given as entries (2, 2) = 3, (0, 1) = 2, (2, 0) = 1, (0, 1) = 0.5: out of
     *      [0, 0, 0],      order, (0, 1) twice (the product sees 2.5 there), row 1 empty.
     *      [1, 0, 3]]
     */
    private static SparseMatrix worked(DType dtype) {
        Tensor indices = Tensor.fromArray(new long[] {2, 0, 2, 0, 2, 1, 0, 1}, 2, 4);
        return SparseMatrix.coo(indices, Tensor.fromArray(new double[] {3, 2, 1, 0.5}, 4).to(dtype), 3, 3);
    }

    @Test
    void cooEntriesAreStoredAsCsrByRowThenColumnKeepingDuplicates() {
        SparseMatrix a = worked(DType.FLOAT64);
        assertEquals(4, a.nnz());
        assertArrayEquals(new long[] {0, 2, 2, 4}, a.pattern().crowIndices().toLongArray());
        assertArrayEquals(new long[] {1, 1, 0, 2}, a.pattern().colIndices().toLongArray());
        assertArrayEquals(new long[] {0, 0, 2, 2, 1, 1, 0, 2}, a.indices().toLongArray());
        assertArrayEquals(new double[] {2, 0.5, 1, 3}, a.values().toDoubleArray(), 0.0);   // the duplicates keep their order
        assertArrayEquals(new double[] {0, 2.5, 0, 0, 0, 0, 1, 0, 3}, a.toDense().toDoubleArray(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void workedProducts(DType dtype) {
        SparseMatrix a = worked(dtype);
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).to(dtype);
        // A x = [[2.5 * 3, 2.5 * 4], [0, 0], [1 + 15, 2 + 18]]
        assertArrayEquals(new double[] {7.5, 10, 0, 0, 16, 20}, a.mm(x).toDoubleArray(), 0.0);
        // A^T x = [[1 * 5, 1 * 6], [2.5 * 1, 2.5 * 2], [3 * 5, 3 * 6]]
        assertArrayEquals(new double[] {5, 6, 2.5, 5, 15, 18}, a.t().mm(x).toDoubleArray(), 0.0);
        // (x x^T) at the entries (0, 1), (0, 1), (2, 0), (2, 2): rows . rows
        Tensor s = SparseMatrix.sampledMm(a.pattern(), x, x.t()).values();
        assertArrayEquals(new double[] {11, 11, 17, 61}, s.toDoubleArray(), 0.0);
        assertEquals(dtype, s.dtype());
    }

    @Test
    void transposeOfTransposeIsTheSamePatternAndValues() {
        SparseMatrix a = worked(DType.FLOAT64);
        SparseMatrix tt = a.t().t();
        assertSame(a.pattern(), tt.pattern());
        assertArrayEquals(a.values().toDoubleArray(), tt.values().toDoubleArray(), 0.0);
        assertArrayEquals(new long[] {0, 1, 3, 4}, a.t().pattern().crowIndices().toLongArray());
    }

    /** Random patterns (empty rows and columns, repeated positions) against dense float64 products, x strided. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void randomProductsMatchDenseReferences(DType dtype) {
        Generator g = new Generator(7);
        int m = 41;
        int k = 23;
        int nnz = 150;
        SplittableRandom r = new SplittableRandom(7);
        long[] idx = new long[2 * nnz];
        for (int e = 0; e < nnz; e++) {
            idx[e] = r.nextInt(m - 3);   // the last three rows stay empty
            idx[nnz + e] = r.nextInt(k);
        }
        Tensor values = Tensor.normal(g, 0, 1, new int[] {nnz}, dtype, Device.CPU);
        SparseMatrix a = SparseMatrix.coo(Tensor.fromArray(idx, 2, nnz), values, m, k);
        Tensor dense = a.toDense().to(DType.FLOAT64);
        Tensor x = Tensor.normal(g, 0, 1, new int[] {9, k}, dtype, Device.CPU).t();   // (k, 9), strided
        Tolerances.BALANCED.of(dtype).assertClose("sparse_mm", dense.matmul(x.to(DType.FLOAT64)), a.mm(x));
        Tolerances.BALANCED.of(dtype).assertClose("sparse_mm of the transpose",
                dense.t().matmul(Tensor.ones(new int[] {m, 3}, DType.FLOAT64, Device.CPU)),
                a.t().mm(Tensor.ones(new int[] {m, 3}, dtype, Device.CPU)));
        Tensor b = Tensor.normal(g, 0, 1, new int[] {9, m}, dtype, Device.CPU).t();   // (m, 9)
        Tensor full = b.to(DType.FLOAT64).matmul(x.to(DType.FLOAT64).t());            // (m, k)
        Tensor want = full.reshape(m * k).indexSelect(0, Tensor.fromArray(a.pattern().flatPositions(), nnz));
        Tolerances.BALANCED.of(dtype).assertClose("sampled_mm", want, SparseMatrix.sampledMm(a.pattern(), b, x.t()).values());
    }

    /** The pattern owns its index tensors: a scope open when the transpose is first built must not free them. */
    @Test
    void patternTensorsOutliveTheMemoryScopeTheyWereMadeIn() {
        SparseMatrix a = worked(DType.FLOAT64);
        Tensor x = Tensor.ones(new int[] {3, 2}, DType.FLOAT64, Device.CPU);
        double[] want = a.t().mm(x).toDoubleArray();
        SparseMatrix b = worked(DType.FLOAT64);
        try (MemoryScope scope = MemoryScope.open()) {
            b.t().mm(x);                                          // builds b's transpose inside the scope
        }
        assertArrayEquals(want, b.t().mm(x).toDoubleArray(), 0.0);
        SparsePattern p;
        try (MemoryScope scope = MemoryScope.open()) {   // a pattern made in a scope, used after it
            p = worked(DType.FLOAT64).pattern();
        }
        assertArrayEquals(want, SparseMatrix.of(p, a.values()).t().mm(x).toDoubleArray(), 0.0);
    }

    @Test
    void emptyMatricesGiveZeros() {
        SparseMatrix none = SparseMatrix.coo(Tensor.zeros(new int[] {2, 0}, DType.INT64, Device.CPU),
                Tensor.zeros(new int[] {0}, DType.FLOAT64, Device.CPU), 3, 4);
        assertArrayEquals(new double[12], none.mm(Tensor.ones(new int[] {4, 4}, DType.FLOAT64, Device.CPU)).toDoubleArray(), 0.0);
        assertArrayEquals(new int[] {4, 2}, none.t().mm(Tensor.ones(new int[] {3, 2}, DType.FLOAT64, Device.CPU)).shape());
    }

    @Test
    void badInputNamesTheOpTheArgumentAndTheShapes() {
        Tensor idx = Tensor.fromArray(new long[] {0, 3, 1, 1}, 2, 2);
        Tensor v = Tensor.ones(2);
        String outside = assertThrows(IndexOutOfBoundsException.class, () -> SparseMatrix.coo(idx, v, 3, 2)).getMessage();
        assertTrue(outside.contains("sparse_coo_tensor: entry 1 at (3, 1)") && outside.contains("3 x 2"), outside);
        String values = assertThrows(IllegalArgumentException.class, () -> SparseMatrix.coo(idx, Tensor.ones(3), 4, 2))
                .getMessage();
        assertTrue(values.contains("values must be [nnz] = [2], got [3]"), values);
        SparseMatrix a = SparseMatrix.coo(idx, v, 4, 2);
        String inner = assertThrows(IllegalArgumentException.class, () -> a.mm(Tensor.ones(3, 5))).getMessage();
        assertTrue(inner.contains("sparse_mm: a 4 x 2 sparse matrix cannot multiply dense [3, 5]"), inner);
        String dtype = assertThrows(IllegalArgumentException.class,
                () -> a.mm(Tensor.ones(new int[] {2, 5}, DType.FLOAT64, Device.CPU))).getMessage();
        assertTrue(dtype.contains("sparse_mm: values is float32 but dense is float64"), dtype);
        String sampled = assertThrows(IllegalArgumentException.class,
                () -> SparseMatrix.sampledMm(a.pattern(), Tensor.ones(4, 3), Tensor.ones(2, 2))).getMessage();
        assertTrue(sampled.contains("sampled_mm: a [4, 3] @ b [2, 2]"), sampled);
        assertThrows(IllegalArgumentException.class, () -> a.withValues(Tensor.ones(5)));
    }
}
