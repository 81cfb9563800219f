package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.nn.loss.BCELoss;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.nn.loss.HuberLoss;
import dev.kiln.nn.loss.Reduction;
import dev.kiln.nn.loss.SmoothL1Loss;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients at the inputs where a masked-out branch or a clamp would give 0 * inf = NaN: each equals
 * PyTorch 1.13's finite value (python lines quoted, float64 values; float32 within its tolerance), on
 * every device.
 */
class MaskedBranchGradTest {
    private static Tensor leaf(Device d, DType dtype, double... v) {
        return Tensor.of(v).to(dtype).to(d).requiresGrad_(true);
    }

    private static void close(DType dtype, Tensor actual, String what, double... expected) {
        Tolerances.BALANCED.of(dtype).assertClose(what, Tensor.of(expected), actual.to(Device.CPU).to(DType.FLOAT64));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void elu_largePositiveInputs_haveGradientOne(TestDevice target, DType dtype) {
        Device d = target.use();
        // x = torch.tensor([1000., 100., 0., -1., -100.], requires_grad=True); F.elu(x, alpha=0.7).sum().backward()
        Tensor x = leaf(d, dtype, 1000, 100, 0, -1, -100);
        new ELU(0.7).forward(x).sum().backward();
        close(dtype, x.grad(), "elu grad", 1, 1, 0.7, 2.5751560882e-01, 2.6040531832e-44);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void pow_zeroExponentAtZero_hasGradientZero(TestDevice target, DType dtype) {
        Device d = target.use();
        // x = [0, 0, 2, 0], e = [0, 1, 0, 2]; torch.pow(x, e).sum().backward()
        Tensor x = leaf(d, dtype, 0, 0, 2, 0);
        Tensor e = leaf(d, dtype, 0, 1, 0, 2);
        x.pow(e).sum().backward();
        close(dtype, x.grad(), "pow: grad of self", 0, 1, 0, 0);
        close(dtype, e.grad(), "pow: grad of exponent", 0, 0, 0.6931471806, 0);
        // x = [0, -0, 2]; x.pow(0.0).sum().backward() -> [0, 0, 0]
        Tensor s = leaf(d, dtype, 0, -0.0, 2);
        s.pow(0.0).sum().backward();
        close(dtype, s.grad(), "pow(x, 0.0)", 0, 0, 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void bce_probabilitiesExactlyZeroOrOne_haveFiniteInputGradient(TestDevice target, DType dtype) {
        Device d = target.use();
        // x = [0, 0, 1, 1, .5, 0], y = [0, 1, 1, 0, .3, .5] (both requiring grad);
        // l = F.binary_cross_entropy(x, y, reduction='none'); l.sum().backward()
        Tensor x = leaf(d, dtype, 0, 0, 1, 1, 0.5, 0);
        Tensor y = leaf(d, dtype, 0, 1, 1, 0, 0.3, 0.5);
        Tensor l = new BCELoss(null, Reduction.NONE).forward(x, y);
        close(dtype, l, "bce", 0, 100, 0, 100, 0.6931471806, 50);
        l.sum().backward();
        close(dtype, x.grad(), "bce: grad of input", 0, -1.0000000040e+12, 0, 1.0000000040e+12, 0.8, -5.0000000200e+11);
        double inf = Double.POSITIVE_INFINITY; // -logit(x), exactly (Tolerance cannot compare infinities)
        assertArrayEquals(new double[] {inf, inf, -inf, -inf, 0, inf}, y.grad().to(DType.FLOAT64).toDoubleArray(), 0,
                "bce: grad of target");
        // a class weight scales the gradient: F.binary_cross_entropy(x, y, torch.tensor(2.), reduction='sum')
        Tensor x2 = leaf(d, dtype, 0, 1, 0.5);
        new BCELoss(Tensor.scalar(2, dtype).to(d), Reduction.SUM).forward(x2, Tensor.of(0.0, 1, 0.3).to(dtype).to(d))
                .backward();
        close(dtype, x2.grad(), "weighted bce: grad of input", 0, 0, 1.6);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.testing.TestDevice#withFloatDtypes")
    void leakyReluAndLossesBuiltWithWhereOrClamp_matchPyTorchAtTheirEdges(TestDevice target, DType dtype) {
        Device d = target.use();
        // x = [-1e30, 0, 1e30]; F.leaky_relu(x, 0.1).sum().backward() -> [0.1, 0.1, 1] (slope at 0, as PyTorch)
        Tensor x = leaf(d, dtype, -1e30, 0, 1e30);
        Functional.leakyRelu(x, 0.1).sum().backward();
        close(dtype, x.grad(), "leaky_relu", 0.1, 0.1, 1);
        // F.binary_cross_entropy_with_logits(x, torch.tensor([1., 0., .5]), reduction='sum') -> [-1, 0.5, 0.5]
        Tensor z = leaf(d, dtype, -1e30, 0, 1e30);
        new BCEWithLogitsLoss(null, Reduction.SUM, null).forward(z, Tensor.of(1.0, 0, 0.5).to(dtype).to(d)).backward();
        close(dtype, z.grad(), "bce_with_logits", -1, 0.5, 0.5);
        // x = [0, 1, -3]: F.huber_loss(x, zeros, reduction='sum') and F.smooth_l1_loss -> [0, 1, -1]
        Tensor h = leaf(d, dtype, 0, 1, -3);
        new HuberLoss(Reduction.SUM, 1.0).forward(h, Tensor.zeros(new int[] {3}, dtype, d)).backward();
        close(dtype, h.grad(), "huber_loss", 0, 1, -1);
        Tensor s = leaf(d, dtype, 0, 1, -3);
        new SmoothL1Loss(Reduction.SUM, 1.0).forward(s, Tensor.zeros(new int[] {3}, dtype, d)).backward();
        close(dtype, s.grad(), "smooth_l1_loss", 0, 1, -1);
    }
}
