package dev.kiln.nn.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import org.junit.jupiter.api.Test;

/** The course's worked case: cross-entropy written by hand equals the library loss, value and gradient. */
class CrossEntropyCompositionTest {
    private static Tensor logits(long seed) {
        return Tensor.normal(new Generator(seed), 0, 2, new int[] {7, 5}, DType.FLOAT64, Device.CPU).requiresGrad_(true);
    }

    @Test
    void logSoftmaxGatherMean_equalsCrossEntropyLoss_andHasTheSameGradient() {
        Tensor labels = Tensor.fromArray(new long[] {0, 4, 2, 2, 1, 3, 0}, 7);
        Tensor z = logits(1);
        Tensor byHand = Functional.logSoftmax(z, 1).gather(1, labels.unsqueeze(1)).neg().mean();
        Tensor library = new CrossEntropyLoss().forward(z, labels);
        Tensor gHand = Autograd.grad(new Tensor[] {byHand}, new Tensor[] {z}, null, false, false)[0];
        Tensor gLib = Autograd.grad(new Tensor[] {library}, new Tensor[] {z}, null, false, false)[0];
        assertTrue(byHand.allclose(library, 1e-12, 1e-14));
        assertTrue(gHand.allclose(gLib, 1e-12, 1e-14));
    }

    @Test
    void softLabels_byHand_equalCrossEntropyLossWithProbabilities() {
        Tensor z = logits(2);
        Tensor p = Functional.softmax(Tensor.normal(new Generator(3), 0, 1, new int[] {7, 5}, DType.FLOAT64, Device.CPU), 1);
        Tensor byHand = Functional.logSoftmax(z, 1).mul(p).sum(new int[] {1}, false).neg().mean();
        Tensor library = new CrossEntropyLoss().forward(z, p);
        Tensor gHand = Autograd.grad(new Tensor[] {byHand}, new Tensor[] {z}, null, false, false)[0];
        Tensor gLib = Autograd.grad(new Tensor[] {library}, new Tensor[] {z}, null, false, false)[0];
        assertTrue(byHand.allclose(library, 1e-12, 1e-14));
        assertTrue(gHand.allclose(gLib, 1e-12, 1e-14));
    }
}
