package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The autograd worked cases of the course (issue 3). */
class CourseWorkedCasesTest {
    private static Tensor randn(Generator g, int... shape) {
        return Tensor.normal(g, 0, 1, shape, DType.FLOAT64, Device.CPU);
    }

    @Test
    void linearLayerMeanLoss_gradientsOfWAndB_equalCentralDifferences() {
        Generator g = new Generator(0);
        Tensor x = randn(g, 100, 5);
        Tensor w = randn(g, 5, 5).requiresGrad_(true);
        Tensor b = randn(g, 5).requiresGrad_(true);
        x.matmul(w).add(b).mean().backward();
        // analytic: d mean / dW[i][j] = mean over rows of X[:, i] / 5; d mean / db[j] = 1 / 5
        double[] numW = numericalGradient(v -> x.matmul(Tensor.fromArray(v, 5, 5)).add(b.detach()).mean().item(),
                w.toDoubleArray());
        double[] numB = numericalGradient(v -> x.matmul(w.detach()).add(Tensor.fromArray(v, 5)).mean().item(),
                b.toDoubleArray());
        assertTrue(w.grad().allclose(Tensor.fromArray(numW, 5, 5), 1e-6, 1e-9));
        assertTrue(b.grad().allclose(Tensor.fromArray(numB, 5), 1e-6, 1e-9));
        assertTrue(b.grad().allclose(Tensor.full(new int[] {5}, 0.2, DType.FLOAT64, Device.CPU), 1e-12, 1e-12));
    }

    private static double[] numericalGradient(java.util.function.ToDoubleFunction<double[]> f, double[] at) {
        double eps = 1e-6;
        double[] g = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            double[] p = at.clone();
            double[] m = at.clone();
            p[i] += eps;
            m[i] -= eps;
            g[i] = (f.applyAsDouble(p) - f.applyAsDouble(m)) / (2 * eps);
        }
        return g;
    }

    /** f(x, y) = (x^2 sin(xy + pi/2), x^2 ln(1 + xy)) as one function of v = (x, y). */
    private static Tensor f(Tensor v) {
        Tensor x = v.select(0, 0);
        Tensor y = v.select(0, 1);
        Tensor xy = x.mul(y);
        return Tensor.stack(new Tensor[] {x.square().mul(xy.add(Math.PI / 2).sin()), x.square().mul(xy.add(1).log())}, 0);
    }

    @Test
    void forwardAndReverseJacobians_equalTheAnalyticJacobian() {
        double x = 0.7;
        double y = 1.3;
        double xy = x * y;
        // d/dx x^2 sin(xy + pi/2) = 2x sin(.) + x^2 y cos(.); d/dy = x^3 cos(.)
        // d/dx x^2 ln(1 + xy) = 2x ln(1 + xy) + x^2 y / (1 + xy); d/dy = x^3 / (1 + xy)
        double s = Math.sin(xy + Math.PI / 2);
        double c = Math.cos(xy + Math.PI / 2);
        Tensor analytic = Tensor.fromArray(new double[] {
            2 * x * s + x * x * y * c, x * x * x * c,
            2 * x * Math.log(1 + xy) + x * x * y / (1 + xy), x * x * x / (1 + xy)}, 2, 2);
        Tensor at = Tensor.of(x, y);
        assertTrue(Autograd.jacobian(CourseWorkedCasesTest::f, at).allclose(analytic, 1e-12, 1e-12));
        assertTrue(Autograd.jacobianReverse(CourseWorkedCasesTest::f, at).allclose(analytic, 1e-12, 1e-12));
    }

    @Test
    void crossEntropyFromLogSoftmaxAndGather_matchesTheClosedFormAndItsGradient() {
        Generator g = new Generator(3);
        Tensor logits = randn(g, 6, 4).requiresGrad_(true);
        long[] labels = {0, 3, 1, 1, 2, 0};
        Tensor target = Tensor.fromArray(labels, 6, 1);
        Tensor ce = Functional.logSoftmax(logits, 1).gather(1, target).neg().mean();
        ce.backward();
        // closed form: loss = mean(logsumexp(z) - z_y); d loss / dz = (softmax(z) - onehot(y)) / N
        Tensor z = logits.detach();
        Tensor lse = z.exp().sum(new int[] {1}, true).log();
        Tensor expected = lse.sub(z.gather(1, target)).mean();
        Tensor onehot = Tensor.zeros(new int[] {6, 4}, DType.FLOAT64, Device.CPU)
                .scatterAdd(1, target, Tensor.ones(new int[] {6, 1}, DType.FLOAT64, Device.CPU));
        Tensor expectedGrad = z.exp().div(z.exp().sum(new int[] {1}, true)).sub(onehot).div(6);
        assertTrue(ce.allclose(expected, 1e-12, 1e-12));
        assertTrue(logits.grad().allclose(expectedGrad, 1e-12, 1e-12));
    }

    @Test
    void softLabelCrossEntropy_matchesTheClosedFormGradient() {
        Generator g = new Generator(4);
        Tensor logits = randn(g, 5, 3).requiresGrad_(true);
        Tensor p = Functional.softmax(randn(g, 5, 3), 1); // a distribution per row
        Tensor ce = Functional.logSoftmax(logits, 1).mul(p).sum(new int[] {1}, false).neg().mean();
        ce.backward();
        // d/dz of -sum(p log softmax(z)) = softmax(z) - p (rows of p sum to 1), over N rows
        Tensor expectedGrad = Functional.softmax(logits.detach(), 1).sub(p).div(5);
        assertTrue(logits.grad().allclose(expectedGrad, 1e-12, 1e-12));
    }

    /** Norm of d loss / d W for the first and last weights of a 26-layer MLP (42 -> 128, 24 x 128 -> 128, -> 1). */
    private static double[] firstAndLastGradNorms(boolean sigmoid) {
        Generator g = new Generator(11);
        int[] widths = new int[27];
        widths[0] = 42;
        for (int i = 1; i < 26; i++) {
            widths[i] = 128;
        }
        widths[26] = 1;
        Tensor[] ws = new Tensor[26];
        Tensor h = randn(g, 16, 42);
        for (int l = 0; l < 26; l++) {
            // PyTorch's default Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            double bound = 1 / Math.sqrt(widths[l]);
            ws[l] = Tensor.uniform(g, -bound, bound, new int[] {widths[l], widths[l + 1]}, DType.FLOAT64, Device.CPU)
                    .requiresGrad_(true);
            h = h.matmul(ws[l]);
            if (l < 25) {
                h = sigmoid ? h.sigmoid() : h.relu();
            }
        }
        h.square().mean().backward();
        return new double[] {ws[0].grad().square().sum().sqrt().item(), ws[25].grad().square().sum().sqrt().item()};
    }

    @Test
    void deepSigmoidMlp_firstLayerGradientVanishes_butNotWithRelu() {
        double[] sig = firstAndLastGradNorms(true);
        double[] relu = firstAndLastGradNorms(false);
        // sigmoid' <= 1/4 per layer: 24 layers shrink the first layer's gradient by orders of magnitude
        assertTrue(sig[0] < 1e-6 * sig[1], "sigmoid first/last = " + sig[0] / sig[1]);
        assertTrue(relu[0] > 1e-3 * relu[1], "relu first/last = " + relu[0] / relu[1]);
    }
}
