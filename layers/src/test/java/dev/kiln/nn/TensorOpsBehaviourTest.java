package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The elementwise behaviours PyTorch users expect (issue #12): logical ops on any dtype, round with
 * decimals, div with a rounding mode, clamp with tensor bounds, gelu(approximate='tanh') and alpha on
 * add/sub/index_add, on every device, against values from PyTorch 1.13 (/usr/bin/python3, torch as in
 * each comment; j(t) prints t's elements in order).
 */
class TensorOpsBehaviourTest {
    private static final double NAN = Double.NaN;

    private static Tensor f64(Device d, double... v) {
        return Tensor.of(v).to(d);
    }

    private static Tensor i64(Device d, long... v) {
        return Tensor.fromArray(v, v.length).to(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void logicalOps_readNonBoolInputsAsNonZero(TestDevice target) {
        Device d = target.use();
        Tensor x = f64(d, 0, -1.5, NAN, 2);
        Tensor n = i64(d, 0, 0, 1, 3);
        // torch.logical_and(tensor([0., -1.5, nan, 2.]), tensor([0, 0, 1, 3])) -> [False, False, True, True]
        assertArrayEquals(new boolean[] {false, false, true, true}, x.logicalAnd(n).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true, true}, x.logicalOr(n).toBooleanArray());
        // torch.logical_not(tensor([0., -1.5, nan, 2.])) -> [True, False, False, False]
        assertArrayEquals(new boolean[] {true, false, false, false}, x.logicalNot().toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false, false}, n.logicalNot().toBooleanArray());
        assertTrue(x.logicalAnd(n).dtype() == DType.BOOL && n.logicalNot().dtype() == DType.BOOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void roundWithDecimals_roundsHalfToEvenAtThatPlace(TestDevice target) {
        Device d = target.use();
        Tensor x = f64(d, 1.2345, -2.5551, 1234.5, 0.125, 151.0, -0.5);
        // x = torch.tensor([1.2345, -2.5551, 1234.5, 0.125, 151.0, -0.5], dtype=torch.float64)
        // torch.round(x, decimals=2); torch.round(x, decimals=-1); torch.round(x.float(), decimals=2)
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("round(x, 2)", Tensor.of(1.23, -2.56, 1234.5, 0.12, 151.0, -0.5), x.round(2));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("round(x, -1)", Tensor.of(0.0, -0.0, 1230.0, 0.0, 150.0, -0.0), x.round(-1));
        Tensor f = x.to(DType.FLOAT32).round(2);
        assertArrayEquals(new float[] {1.2300000190734863f, -2.559999942779541f, 1234.5f, 0.11999999731779099f, 151f, -0.5f},
                f.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> i64(d, 15).round(-1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void divWithRoundingMode_floorsTheExactQuotient(TestDevice target, DType dtype) {
        Device d = target.use();
        Tensor a = f64(d, 7, -7, 7, -7, 1, 5.5, -0.0).to(dtype);
        Tensor b = f64(d, 2, 2, -2, -2, 0.1, 0, 3).to(dtype);
        // a = torch.tensor([7., -7., 7., -7., 1., 5.5, -0.0]); b = torch.tensor([2., 2., -2., -2., 0.1, 0., 3.])
        // torch.div(a, b, rounding_mode='trunc'), and 'floor' (float32 and float64 agree): 1 // 0.1 is 9,
        // as in Python, because 0.1 is slightly more than a tenth, though 1 / 0.1 rounds to 10
        double inf = Double.POSITIVE_INFINITY;
        assertArrayEquals(new double[] {3.0, -3.0, -3.0, 3.0, 10.0, inf, -0.0}, a.div(b, "trunc").toDoubleArray());
        assertArrayEquals(new double[] {3.0, -4.0, -4.0, 3.0, 9.0, inf, -0.0}, a.div(b, "floor").toDoubleArray());
        assertArrayEquals(a.div(b).toDoubleArray(), a.div(b, null).toDoubleArray(), "rounding_mode None is true division");
        assertArrayEquals(new double[] {2.0, -3.0, 2.0, -3.0, 0.0, 1.0, -0.0}, a.div(3, "floor").toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.div(b, "round"));
        assertTrue(e.getMessage().contains("rounding_mode"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void int64DivWithRoundingMode_wrapsAtTheMinimumAndRefusesZero(TestDevice target) {
        Device d = target.use();
        Tensor a = i64(d, 7, -7, 7, -7, 0, -9);
        Tensor b = i64(d, 2, 2, -2, -2, -3, 4);
        // torch.div(tensor([7, -7, 7, -7, 0, -9]), tensor([2, 2, -2, -2, -3, 4]), rounding_mode='trunc' / 'floor')
        assertArrayEquals(new long[] {3, -3, -3, 3, 0, -2}, a.div(b, "trunc").toLongArray());
        assertArrayEquals(new long[] {3, -4, -4, 3, 0, -3}, a.div(b, "floor").toLongArray());
        assertTrue(a.div(b, "floor").dtype() == DType.INT64);
        // Long.MIN_VALUE / -1 overflows: it wraps as Java's / does. On x86 the division traps: PyTorch 1.13 itself
        // dies of SIGFPE on torch.div(tensor([-2**63]), tensor([-1]), rounding_mode='trunc'), and so would the JVM
        Tensor min = i64(d, Long.MIN_VALUE, Long.MIN_VALUE);
        Tensor minusOne = i64(d, -1, 1);
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE}, min.div(minusOne, "trunc").toLongArray());
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE}, min.div(minusOne, "floor").toLongArray());
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> a.div(i64(d, 1, 0, 1, 1, 1, 1), "floor"));
        assertTrue(e.getMessage().contains("div: integer division by zero") && e.getMessage().contains("[6]"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void clampWithTensorBounds_valuesAndGradientsAsPyTorch(TestDevice target) {
        Device d = target.use();
        Tensor x = f64(d, -2, 0.5, 3, NAN, 1, 1.5).requiresGrad_(true);
        Tensor lo = f64(d, -1, 1, 0, 0, 2, 1.5).requiresGrad_(true);
        Tensor hi = f64(d, 1, 2, 2, 1, 0, NAN).requiresGrad_(true);
        // x = torch.tensor([-2., .5, 3., nan, 1., 1.5], dtype=torch.float64, requires_grad=True)
        // lo = torch.tensor([-1., 1., 0., 0., 2., 1.5], ...); hi = torch.tensor([1., 2., 2., 1., 0., nan], ...)
        // y = torch.clamp(x, lo, hi); y.backward(torch.arange(1., 7., dtype=torch.float64))
        Tensor y = x.clamp(lo, hi);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("clamp(x, lo, hi)", Tensor.of(-1.0, 1.0, 2.0, NAN, 0.0, NAN), y);
        y.backward(Tensor.arange(1, 7, 1, DType.FLOAT64, d));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("x.grad", Tensor.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0), x.grad());
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("lo.grad", Tensor.of(1.0, 2.0, 0.0, 0.0, 0.0, 0.0), lo.grad());
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("hi.grad", Tensor.of(0.0, 0.0, 3.0, 0.0, 5.0, 0.0), hi.grad());

        // x = torch.tensor([[-2., .5, 3.]], dtype=torch.float64).T.requires_grad_(); lo = torch.tensor([0., 1.], ...)
        // y = torch.clamp(x, min=lo)  # (3, 2); y.backward(torch.ones_like(y))
        Tensor col = f64(d, -2, 0.5, 3).reshape(3, 1).requiresGrad_(true);
        Tensor low = f64(d, 0, 1).requiresGrad_(true);
        Tensor z = col.clamp(low, null);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("clamp(min=lo) broadcast", Tensor.of(0.0, 1.0, 0.5, 1.0, 3.0, 3.0).reshape(3, 2),
                z);
        z.backward(Tensor.onesLike(z));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("x.grad", Tensor.of(0.0, 1.0, 2.0).reshape(3, 1), col.grad());
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("lo.grad", Tensor.of(1.0, 2.0), low.grad());
        assertThrows(IllegalArgumentException.class, () -> col.clamp(null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void geluTanh_matchesPyTorchValuesAndGradient(TestDevice target) {
        Device d = target.use();
        Tensor x = f64(d, -3, -1, -0.5, 0, 0.5, 1, 3).requiresGrad_(true);
        // x = torch.tensor([-3., -1., -.5, 0., .5, 1., 3.], dtype=torch.float64, requires_grad=True)
        // y = F.gelu(x, approximate='tanh'); y.backward(torch.ones_like(y)); and F.gelu(x.float(), approximate='tanh')
        Tensor y = Functional.gelu(x, "tanh");
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("gelu tanh",
                Tensor.of(-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0.0,
                0.34571400982514394, 0.8411919906082768, 2.996362607918227), y);
        y.backward(Tensor.onesLike(y));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("gelu tanh gradient",
                Tensor.of(-0.011584166630969648, -0.08296408384578252, 0.13263009646535764, 0.5,
                0.8673699035346424, 1.0829640838457826, 1.0115841666309695), x.grad());
        Tolerances.BALANCED.of(DType.FLOAT32).assertClose("gelu tanh float32",
                Tensor.of(-0.0036374330520629883, -0.15880799293518066, -0.1542859971523285, 0.0,
                0.3457140028476715, 0.8411920070648193, 2.9963626861572266), x.detach().to(DType.FLOAT32).gelu("tanh"));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("approximate none", x.detach().gelu(), x.detach().gelu("none"));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("nn.GELU(approximate='tanh')", y, new GELU("tanh").forward(x));
        assertThrows(IllegalArgumentException.class, () -> x.gelu("sigmoid"));
        assertThrows(IllegalArgumentException.class, () -> new GELU("sigmoid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void alphaScalesTheOtherOperand(TestDevice target) {
        Device d = target.use();
        Tensor a = f64(d, 1, 2, 3);
        Tensor b = f64(d, 0.5, -1, 4);
        // torch.add(a, b, alpha=2.5); torch.sub(a, b, alpha=2)
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("add alpha", Tensor.of(2.25, -0.5, 13.0), a.add(b, 2.5));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("sub alpha", Tensor.of(0.0, 4.0, -5.0), a.sub(b, 2));
        // torch.zeros(3, 2, dtype=torch.float64).index_add(0, torch.tensor([2, 0]), torch.tensor([[1., 2.], [3., 4.]]), alpha=-1.5)
        Tensor src = Tensor.of(1.0, 2.0, 3.0, 4.0).reshape(2, 2).to(d);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("index_add alpha", Tensor.of(-4.5, -6.0, 0.0, 0.0, -1.5, -3.0).reshape(3, 2),
                Tensor.zeros(new int[] {3, 2}, DType.FLOAT64, d).indexAdd(0, i64(d, 2, 0), src, -1.5));
        // torch.add(torch.tensor([1, 2]), torch.tensor([3, 4]), alpha=3) -> [10, 14]; alpha=0.5 is refused
        assertArrayEquals(new long[] {10, 14}, i64(d, 1, 2).add(i64(d, 3, 4), 3).toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i64(d, 1, 2).add(i64(d, 3, 4), 0.5));
        assertTrue(e.getMessage().contains("alpha must not be a floating point number"), e.getMessage());
        // gradients: d(a + alpha b)/db = alpha
        Tensor bl = f64(d, 0.5, -1, 4).requiresGrad_(true);
        a.sub(bl, 2).sum().backward();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("sub alpha gradient", Tensor.of(-2.0, -2.0, -2.0), bl.grad());
    }
}
