package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gather, scatter_add, index_select and index_add with 0-d self, index or source: a 0-d operand
 * counts as 1-d of one element, as in PyTorch 1.13 (results from it quoted), on every device, with
 * gradients.
 */
class ZeroDimIndexingTest {
    private static Tensor idx(Device d, long... v) {
        return Tensor.fromArray(v, v.length).to(d);
    }

    private static Tensor idx0(Device d, long v) {
        return Tensor.fromArray(new long[] {v}).reshape().to(d);
    }

    private static void same(Tensor expected, Tensor actual, String what) {
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose(what, expected, actual.to(Device.CPU).to(DType.FLOAT64));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void gather(TestDevice target, DType dtype) {
        Device d = target.use();
        Tensor s = Tensor.scalar(5, dtype).to(d).requiresGrad_(true);
        same(Tensor.scalar(5, DType.FLOAT64), s.gather(0, idx0(d, 0)), "s.gather(0, tensor(0)) -> tensor(5.)");
        same(Tensor.of(5.0, 5), s.gather(-1, idx(d, 0, 0)), "s.gather(-1, tensor([0, 0])) -> tensor([5., 5.])");
        s.gather(0, idx(d, 0, 0)).sum().backward(); // s.grad -> tensor(2.)
        same(Tensor.scalar(2, DType.FLOAT64), s.grad(), "gather: grad of a 0-d self");
        Tensor v = Tensor.of(1.0, 2, 3).to(dtype).to(d);
        same(Tensor.scalar(3, DType.FLOAT64), v.gather(0, idx0(d, 2)), "v.gather(0, tensor(2)) -> tensor(3.)");
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.gather(0, idx0(d, 1)));
        assertTrue(e.getMessage().contains("gather") && e.getMessage().contains("index 1"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void scatterAdd(TestDevice target, DType dtype) {
        Device d = target.use();
        Tensor s = Tensor.scalar(5, dtype).to(d);
        same(Tensor.scalar(7, DType.FLOAT64), s.scatterAdd(0, idx0(d, 0), Tensor.scalar(2, dtype).to(d)),
                "s.scatter_add(0, tensor(0), tensor(2.)) -> tensor(7.)");
        Tensor src = Tensor.of(2.0, 3).to(dtype).to(d).requiresGrad_(true);
        Tensor y = s.scatterAdd(0, idx(d, 0, 0), src);
        same(Tensor.scalar(10, DType.FLOAT64), y, "s.scatter_add(0, tensor([0, 0]), tensor([2., 3.])) -> tensor(10.)");
        y.backward();
        same(Tensor.of(1.0, 1), src.grad(), "scatter_add: grad of src");
        same(Tensor.of(1.0, 4, 3), Tensor.of(1.0, 2, 3).to(dtype).to(d).scatterAdd(0, idx0(d, 1), Tensor.scalar(2, dtype).to(d)),
                "v.scatter_add(0, tensor(1), tensor(2.)) -> tensor([1., 4., 3.])");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void indexSelect(TestDevice target, DType dtype) {
        Device d = target.use();
        Tensor s = Tensor.scalar(5, dtype).to(d).requiresGrad_(true);
        Tensor y = s.indexSelect(0, idx0(d, 0));
        assertArrayEquals(new int[0], y.shape());
        same(Tensor.scalar(5, DType.FLOAT64), y, "s.index_select(0, tensor(0)) -> tensor(5.)");
        same(Tensor.scalar(5, DType.FLOAT64), s.indexSelect(0, idx(d, 0)), "s.index_select(0, tensor([0])) -> tensor(5.)");
        y.backward();
        same(Tensor.scalar(1, DType.FLOAT64), s.grad(), "index_select: grad of a 0-d self");
        same(Tensor.of(3.0), Tensor.of(1.0, 2, 3).to(dtype).to(d).indexSelect(0, idx0(d, 2)),
                "v.index_select(0, tensor(2)) -> tensor([3.])");
        assertThrows(IndexOutOfBoundsException.class, () -> s.indexSelect(0, idx(d, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.indexSelect(0, idx(d)));
        assertTrue(e.getMessage().contains("index_select") && e.getMessage().contains("[0]"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void indexAdd(TestDevice target, DType dtype) {
        Device d = target.use();
        Tensor s = Tensor.scalar(5, dtype).to(d).requiresGrad_(true);
        Tensor y = s.indexAdd(0, idx0(d, 0), Tensor.scalar(2, dtype).to(d));
        same(Tensor.scalar(7, DType.FLOAT64), y, "s.index_add(0, tensor(0), tensor(2.)) -> tensor(7.)");
        y.backward();
        same(Tensor.scalar(1, DType.FLOAT64), s.grad(), "index_add: grad of a 0-d self");
        same(Tensor.scalar(10, DType.FLOAT64), s.detach().indexAdd(0, idx(d, 0, 0), Tensor.of(2.0, 3).to(dtype).to(d)),
                "s.index_add(0, tensor([0, 0]), tensor([2., 3.])) -> tensor(10.)");
        Tensor v = Tensor.of(1.0, 2, 3).to(dtype).to(d);
        same(Tensor.of(1.0, 4, 3), v.indexAdd(0, idx0(d, 1), Tensor.scalar(2, dtype).to(d)),
                "v.index_add(0, tensor(1), tensor(2.)) -> tensor([1., 4., 3.])");
        same(Tensor.of(1.0, 4, 3), v.indexAdd(0, idx(d, 1), Tensor.scalar(2, dtype).to(d)),
                "v.index_add(0, tensor([1]), tensor(2.)) -> tensor([1., 4., 3.])");
        same(Tensor.of(0.0, 0, 0, 1, 2, 3).reshape(2, 3), Tensor.zeros(new int[] {2, 3}, dtype, d).indexAdd(0, idx0(d, 1),
                Tensor.of(1.0, 2, 3).reshape(1, 3).to(dtype).to(d)), "m.index_add(0, tensor(1), tensor([[1., 2., 3.]]))");
    }
}
