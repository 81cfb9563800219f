package dev.kiln.cuda;

import static dev.kiln.cuda.KernelFamiliesTest.normal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.SparseMatrix;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/sparse.cu on every target: CSR x dense and the sampled product against the CPU backend
 * (float64 sums there), on random patterns with empty rows and repeated positions, dense operands
 * read through transposed views; gradients through both kernels equal the CPU's.
 */
class SparseTest {
    /** A (m, k) matrix with nnz entries at random positions (the last rows empty), values of dtype, on the CPU. */
    private static SparseMatrix random(long seed, int m, int k, int nnz, DType dtype) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] idx = new long[2 * nnz];
        for (int e = 0; e < nnz; e++) {
            idx[e] = r.nextInt(m - 2);
            idx[nnz + e] = r.nextInt(k);
        }
        return SparseMatrix.coo(Tensor.fromArray(idx, 2, nnz), normal(seed, 1, dtype, nnz), m, k);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void productsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Tolerances.Tolerance tol = Tolerances.BALANCED.of(dtype);
        // n = 300 columns: a row's outputs span two blocks of 256 threads
        for (int n : new int[] {1, 7, 300}) {
            SparseMatrix a = random(n, 45, 31, 260, dtype);
            SparseMatrix ad = a.to(dev);
            Both x = Both.of(normal(2, 1, dtype, n, 31), dev).view(Tensor::t);   // (31, n), transposed
            tol.assertClose("sparse_mm n=" + n, a.mm(x.cpu()), ad.mm(x.dev()).to(Device.CPU));
            Both y = Both.of(normal(3, 1, dtype, 45, n), dev);
            tol.assertClose("sparse_mm of the transpose n=" + n, a.t().mm(y.cpu()), ad.t().mm(y.dev()).to(Device.CPU));
            Both b = Both.of(normal(4, 1, dtype, 31, n), dev).view(Tensor::t);   // (n, 31), transposed
            tol.assertClose("sampled_mm n=" + n, SparseMatrix.sampledMm(a.pattern(), y.cpu(), b.cpu()).values(),
                    SparseMatrix.sampledMm(ad.pattern(), y.dev(), b.dev()).values().to(Device.CPU));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void gradientsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        SparseMatrix a = random(5, 20, 12, 70, dtype);
        Tensor[] cpu = grads(a.values().detach(), normal(6, 1, dtype, 12, 5), normal(7, 1, dtype, 20, 5), a, Device.CPU);
        Tensor[] gpu = grads(a.values().detach(), normal(6, 1, dtype, 12, 5), normal(7, 1, dtype, 20, 5), a, dev);
        String[] names = {"values", "x", "h"};
        for (int i = 0; i < cpu.length; i++) {
            Tolerances.BALANCED.of(dtype).assertClose("grad " + names[i], cpu[i], gpu[i].to(Device.CPU));
        }
    }

    /** d/d(values, x, h) of sum((A x) * h) + sum(sampled(A's pattern, h, x^T) * values), all on dev. */
    private static Tensor[] grads(Tensor values, Tensor x, Tensor h, SparseMatrix pattern, Device dev) {
        Tensor v = values.to(dev).requiresGrad_(true);
        Tensor xd = x.to(dev).requiresGrad_(true);
        Tensor hd = h.to(dev).requiresGrad_(true);
        SparseMatrix a = SparseMatrix.of(pattern.pattern().to(dev), v);
        Tensor loss = a.mm(xd).mul(hd).sum().add(SparseMatrix.sampledMm(a.pattern(), hd, xd.t()).values().mul(v).sum());
        loss.backward();
        return new Tensor[] {v.grad(), xd.grad(), hd.grad()};
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void emptyPatternsAndEmptyOperands(Target target, DType dtype) {
        Device dev = target.use();
        SparseMatrix none = SparseMatrix.coo(Tensor.zeros(new int[] {2, 0}, DType.INT64, Device.CPU),
                Tensor.zeros(new int[] {0}, dtype, Device.CPU), 3, 4).to(dev);
        assertArrayEquals(new double[6], none.mm(Tensor.ones(new int[] {4, 2}, dtype, dev)).toDoubleArray(), 0.0);
        Tensor zeroCols = none.mm(Tensor.ones(new int[] {4, 0}, dtype, dev));
        assertArrayEquals(new int[] {3, 0}, zeroCols.shape());
        Tensor sampled = SparseMatrix.sampledMm(none.pattern(), Tensor.ones(new int[] {3, 2}, dtype, dev),
                Tensor.ones(new int[] {2, 4}, dtype, dev)).values();
        assertArrayEquals(new int[] {0}, sampled.shape());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void operandsOnAnotherDeviceAreRefusedByName(Target target, DType dtype) {
        Device dev = target.use();
        SparseMatrix a = random(8, 5, 4, 6, dtype).to(dev);
        String msg = assertThrows(IllegalArgumentException.class, () -> a.mm(normal(9, 1, dtype, 4, 3))).getMessage();
        assertTrue(msg.startsWith("sparse_mm: values is on " + dev) && msg.contains("dense is on cpu"), msg);
    }
}
