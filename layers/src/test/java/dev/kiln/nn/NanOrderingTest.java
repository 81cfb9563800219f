package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN has no order: sign(NaN) is 0, and maximum/minimum and the max/min reductions route the
 * gradient as PyTorch 1.13 does. Expected values from PyTorch (python lines quoted), on every device.
 */
class NanOrderingTest {
    private static final double NAN = Double.NaN;

    private static Tensor leaf(Device d, DType dtype, double... v) {
        return Tensor.of(v).to(dtype).to(d).requiresGrad_(true);
    }

    private static void close(Tensor expected, Tensor actual, String what) {
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose(what, expected, actual.to(Device.CPU).to(DType.FLOAT64));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void signOfNanAndNegativeZeroIsZero(TestDevice target, DType dtype) {
        Device d = target.use();
        // torch.sign(torch.tensor([nan, -0.0, 0.0, 2.0, -3.0])) -> [0., 0., 0., 1., -1.]
        Tensor y = Tensor.of(NAN, -0.0, 0.0, 2.0, -3.0).to(dtype).to(d).sign();
        double[] v = y.to(Device.CPU).to(DType.FLOAT64).toDoubleArray();
        close(Tensor.of(0.0, 0.0, 0.0, 1.0, -1.0), y, "sign");
        org.junit.jupiter.api.Assertions.assertEquals(0L, Double.doubleToRawLongBits(v[1]), "sign(-0.0) is +0.0");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void maximumAndMinimumSendANansGradientToBothOperands(TestDevice target, DType dtype) {
        Device d = target.use();
        // a = [1, nan, 2, 3], b = [nan, 1, 2, 1]; torch.maximum(a, b).sum().backward()
        Tensor a = leaf(d, dtype, 1, NAN, 2, 3);
        Tensor b = leaf(d, dtype, NAN, 1, 2, 1);
        a.maximum(b).sum().backward();
        close(Tensor.of(1.0, 1.0, 0.5, 1.0), a.grad(), "maximum: grad of a");
        close(Tensor.of(1.0, 1.0, 0.5, 0.0), b.grad(), "maximum: grad of b");
        Tensor a2 = leaf(d, dtype, 1, NAN, 2, 3);
        Tensor b2 = leaf(d, dtype, NAN, 1, 2, 1);
        a2.minimum(b2).sum().backward();
        close(Tensor.of(1.0, 1.0, 0.5, 0.0), a2.grad(), "minimum: grad of a");
        close(Tensor.of(1.0, 1.0, 0.5, 1.0), b2.grad(), "minimum: grad of b");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void maxAndMinOfAllShareTheGradientAmongTheNans(TestDevice target, DType dtype) {
        Device d = target.use();
        // x = [[1, nan, nan], [2, 3, 3]]; x.max().backward() -> [[0, .5, .5], [0, 0, 0]] (same for x.min())
        for (boolean max : new boolean[] {true, false}) {
            Tensor x = leaf(d, dtype, 1, NAN, NAN, 2, 3, 3);
            (max ? x.reshape(2, 3).max() : x.reshape(2, 3).min()).backward();
            close(Tensor.of(0, 0.5, 0.5, 0, 0, 0), x.grad(), max ? "max()" : "min()");
        }
        // per row, the evenly shared gradient of each row's extreme (Kiln's amax over a dim routes a NaN
        // row as max() does; PyTorch 1.13's amax(dim) gives NaN there): [[0, .5, .5], [0, .5, .5]]
        Tensor x = leaf(d, dtype, 1, NAN, NAN, 2, 3, 3);
        x.reshape(2, 3).amax(new int[] {1}, false).sum().backward();
        close(Tensor.of(0, 0.5, 0.5, 0, 0.5, 0.5), x.grad(), "amax(dim 1)");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void maxAndMinAlongADimSendTheGradientToTheFirstNan(TestDevice target, DType dtype) {
        Device d = target.use();
        // x.max(dim=1).values.sum().backward() -> [[0, 1, 0], [0, 1, 0]]; x.min(dim=1) -> [[0, 1, 0], [1, 0, 0]]
        Tensor x = leaf(d, dtype, 1, NAN, NAN, 2, 3, 3);
        x.reshape(2, 3).max(1, false).values().sum().backward();
        close(Tensor.of(0, 1, 0, 0, 1, 0), x.grad(), "max(dim 1)");
        Tensor y = leaf(d, dtype, 1, NAN, NAN, 2, 3, 3);
        y.reshape(2, 3).min(1, false).values().sum().backward();
        close(Tensor.of(0, 1, 0, 1, 0, 0), y.grad(), "min(dim 1)");
    }
}
