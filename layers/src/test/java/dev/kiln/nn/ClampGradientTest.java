package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.nn.loss.Reduction;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * clamp(min, max) with scalar bounds as PyTorch: all of the gradient where min <= x <= max (ties
 * included, where maximum/minimum would split it), none at NaN or outside, and max where min > max;
 * BCEWithLogitsLoss keeps sigmoid(x) - y as its gradient at x = 0 and at extreme logits.
 */
class ClampGradientTest {
    private static final double NAN = Double.NaN;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void scalarClampSendsTheWholeGradientInsideTheClosedRange(TestDevice target) {
        Device d = target.use();
        // x = torch.tensor([-1., 0., .5, 1., 2., float('nan')], dtype=torch.float64, requires_grad=True)
        // y = x.clamp(0, 1); y.sum().backward()  ->  y [0, 0, .5, 1, 1, nan], x.grad [0, 1, 1, 1, 0, 0]
        Tensor x = Tensor.of(-1.0, 0.0, 0.5, 1.0, 2.0, NAN).to(d).requiresGrad_(true);
        Tensor y = x.clamp(0, 1);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("clamp(0, 1)", Tensor.of(0.0, 0.0, 0.5, 1.0, 1.0, NAN), y.to(Device.CPU));
        y.sum().backward();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("d clamp(0, 1)", Tensor.of(0.0, 1.0, 1.0, 1.0, 0.0, 0.0),
                x.grad().to(Device.CPU));
        // x.clamp(1, 0) (min > max) -> every element is max = 0, no gradient
        Tensor z = Tensor.of(-1.0, 0.5, 2.0).to(d).requiresGrad_(true);
        Tensor w = z.clamp(1, 0);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("clamp(1, 0)", Tensor.of(0.0, 0.0, 0.0), w.to(Device.CPU));
        w.sum().backward();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("d clamp(1, 0)", Tensor.of(0.0, 0.0, 0.0), z.grad().to(Device.CPU));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void bceWithLogitsGradientIsSigmoidMinusTargetEverywhere(TestDevice target) {
        Device d = target.use();
        // x = torch.tensor([0., 30., -30., 2.], dtype=torch.float64, requires_grad=True); y = [1, 0, 1, .25]
        // loss = F.binary_cross_entropy_with_logits(x, y, reduction='sum'); loss.backward()
        Tensor x = Tensor.of(0.0, 30.0, -30.0, 2.0).to(d).requiresGrad_(true);
        Tensor y = Tensor.of(1.0, 0.0, 1.0, 0.25).to(d);
        Tensor loss = new BCEWithLogitsLoss(null, Reduction.SUM, null).forward(x, y);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("loss", Tensor.scalar(62.3200751916031, DType.FLOAT64), loss.to(Device.CPU));
        loss.backward();
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("d loss / d x",
                Tensor.of(-0.5, 0.9999999999999065, -0.9999999999999064, 0.6307970779778823), x.grad().to(Device.CPU));
    }
}
