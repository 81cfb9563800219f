package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Functional.layerNorm and batchNorm as F.layer_norm and F.batch_norm (weight, bias and running
 * statistics optional), and the batch-norm rules PyTorch enforces: one value per channel in
 * training throws, an empty batch leaves the running statistics as they are.
 */
class NormFunctionalTest {
    private static Tensor t(Device d, double[] v, int... shape) {
        return Tensor.fromArray(v, shape).to(d);
    }

    private static void close(double[] expected, Tensor actual, String what) {
        Tolerances.QUOTED.assertClose(what, Tensor.fromArray(expected, actual.shape()), actual.to(Device.CPU));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void layerNorm_matchesPyTorch_withOptionalWeightAndBias(TestDevice target) {
        Device d = target.use();
        Tensor x = t(d, new double[] {1, 2, 4, 0, -1, 3}, 2, 3);
        // F.layer_norm(x, [3], torch.tensor([1., 2., 3.]), torch.tensor([0., 1., 0.]), 1e-5) in float64
        close(new double[] {-1.0690415315, 0.4654792343, 4.0089057429, -0.3922315914, -0.9611579571, 4.1184317099},
                Functional.layerNorm(x, new int[] {3}, t(d, new double[] {1, 2, 3}, 3), t(d, new double[] {0, 1, 0}, 3), 1e-5),
                "layer_norm [3]");
        // F.layer_norm(x, [2, 3], None, torch.tensor([[0., 1., 0.], [1, 1, 1]]), 1e-5)
        close(new double[] {-0.2927695200, 1.2927695200, 1.4638476000, 0.1216914400, -0.4638476000, 1.8783085600},
                Functional.layerNorm(x, new int[] {2, 3}, null, t(d, new double[] {0, 1, 0, 1, 1, 1}, 2, 3), 1e-5),
                "layer_norm [2, 3], bias only");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.layerNorm(x, new int[] {4}, null, null, 1e-5));
        assertTrue(e.getMessage().contains("layer_norm") && e.getMessage().contains("[*, 4]")
                && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.layerNorm(x, new int[] {3}, t(d, new double[] {1, 2}, 2), null, 1e-5));
        assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void batchNorm_matchesPyTorch_inTrainingAndEval(TestDevice target) {
        Device d = target.use();
        Tensor x = t(d, new double[] {1, 2, 3, -1, 0, 5}, 3, 2);
        Tensor rm = t(d, new double[] {0.5, -0.5}, 2);
        Tensor rv = t(d, new double[] {2, 1}, 2);
        // F.batch_norm(x, rm, rv, torch.tensor([2., 1.]), None, True, 0.25, 1e-5), then rm and rv
        close(new double[] {-0.5345207657, 0, 2.6726038286, -1.2247438508, -2.1380830629, 1.2247438508},
                Functional.batchNorm(x, rm, rv, t(d, new double[] {2, 1}, 2), null, true, 0.25, 1e-5), "batch_norm training");
        close(new double[] {0.7083333333, 0.125}, rm, "running_mean");
        close(new double[] {2.0833333333, 3}, rv, "running_var");
        // F.batch_norm(x, rm, rv, None, torch.tensor([1., -1.]), False, 0.25, 1e-5) with the updated rm, rv
        close(new double[] {1.2020721092, 0.0825299505, 2.5877094298, -1.6495179703, 0.5092534490, 1.8145778713},
                Functional.batchNorm(x, rm, rv, null, t(d, new double[] {1, -1}, 2), false, 0.25, 1e-5), "batch_norm eval");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.batchNorm(x, null, null, null, null, false, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("running_mean and running_var must be defined"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.batchNorm(x, t(d, new double[] {0, 0, 0}, 3), null, null, null, true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("running_mean") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void layerNormAndBatchNorm_passFloat64Gradcheck(TestDevice target) {
        Device d = target.use();
        Generator g = new Generator(5);
        Tensor x = Tensor.normal(g, 0, 1, new int[] {2, 2, 3}, DType.FLOAT64, d).requiresGrad_(true);
        Tensor w = Tensor.normal(g, 1, 0.5, new int[] {2, 3}, DType.FLOAT64, d).requiresGrad_(true);
        Tensor b = Tensor.normal(g, 0, 1, new int[] {2, 3}, DType.FLOAT64, d).requiresGrad_(true);
        GradCheck.gradcheck(a -> Functional.layerNorm(a[0], new int[] {2, 3}, a[1], a[2], 1e-5), x, w, b);
        Tensor wc = Tensor.normal(g, 1, 0.5, new int[] {2}, DType.FLOAT64, d).requiresGrad_(true);
        Tensor bc = Tensor.normal(g, 0, 1, new int[] {2}, DType.FLOAT64, d).requiresGrad_(true);
        GradCheck.gradcheck(a -> Functional.batchNorm(a[0], null, null, a[1], a[2], true, 0.1, 1e-5), x, wc, bc);
        Tensor rm = Tensor.normal(g, 0, 1, new int[] {2}, DType.FLOAT64, d);
        Tensor rv = Tensor.uniform(g, 0.5, 2, new int[] {2}, DType.FLOAT64, d);
        GradCheck.gradcheck(a -> Functional.batchNorm(a[0], rm, rv, a[1], null, false, 0.1, 1e-5), x, wc);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void batchNorm_oneValuePerChannelInTraining_throwsAsPyTorch(TestDevice target) {
        Device d = target.use();
        // torch.nn.BatchNorm1d(3)(torch.randn(1, 3)): "Expected more than 1 value per channel when training"
        BatchNorm1d bn1 = (BatchNorm1d) new BatchNorm1d(3).to(d);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bn1.forward(Tensor.ones(new int[] {1, 3}, DType.FLOAT32, d)));
        assertTrue(e.getMessage().contains("expected more than 1 value per channel when training")
                && e.getMessage().contains("[1, 3]"), e.getMessage());
        BatchNorm2d bn2 = (BatchNorm2d) new BatchNorm2d(3).to(d);
        assertThrows(IllegalArgumentException.class, () -> bn2.forward(Tensor.ones(new int[] {1, 3, 1, 1}, DType.FLOAT32, d)));
        // but (1, 3, 2) has 2 values per channel, and eval mode uses the running statistics
        assertArrayEquals(new int[] {1, 3, 2}, bn1.forward(Tensor.ones(new int[] {1, 3, 2}, DType.FLOAT32, d)).shape());
        bn2.eval();
        assertArrayEquals(new int[] {1, 3, 1, 1}, bn2.forward(Tensor.ones(new int[] {1, 3, 1, 1}, DType.FLOAT32, d)).shape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void batchNorm_emptyBatch_leavesRunningStatisticsAsPyTorch(TestDevice target) {
        Device d = target.use();
        // bn = torch.nn.BatchNorm2d(2); bn(torch.randn(0, 2, 2, 2)): empty output, running_mean [0, 0] and
        // running_var [1, 1] unchanged, num_batches_tracked 1; backward gives zero weight gradients
        BatchNorm2d bn = (BatchNorm2d) new BatchNorm2d(2).to(d);
        Tensor x = Tensor.zeros(new int[] {0, 2, 2, 2}, DType.FLOAT32, d).requiresGrad_(true);
        Tensor y = bn.forward(x);
        assertArrayEquals(new int[] {0, 2, 2, 2}, y.shape());
        close(new double[] {0, 0}, bn.namedBuffers().get("running_mean"), "running_mean");
        close(new double[] {1, 1}, bn.namedBuffers().get("running_var"), "running_var");
        assertEquals(1, bn.namedBuffers().get("num_batches_tracked").to(Device.CPU).toLongArray()[0]);
        y.sum().backward();
        close(new double[] {0, 0}, bn.weight().grad(), "weight grad");
        // momentum null (cumulative average): a later batch still moves the statistics normally
        BatchNorm1d cumulative = (BatchNorm1d) new BatchNorm1d(1, 1e-5, null, false, true).to(d);
        cumulative.forward(Tensor.zeros(new int[] {0, 1}, DType.FLOAT32, d));
        cumulative.forward(t(d, new double[] {1, 3}, 2, 1).to(DType.FLOAT32));
        // count 2, factor 1/2: mean 0.5 * 0 + 0.5 * 2 = 1, var 0.5 * 1 + 0.5 * 2 = 1.5
        close(new double[] {1}, cumulative.namedBuffers().get("running_mean"), "cumulative running_mean");
        close(new double[] {1.5}, cumulative.namedBuffers().get("running_var"), "cumulative running_var");
    }

    /**
     * batch_norm's gradient comes from the fused primitives without createGraph and from tensor ops with
     * it (so it can be differentiated again): both give the same values, in training and in eval.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void batchNorm_gradientsWithAndWithoutCreateGraph_agree(TestDevice target) {
        Device d = target.use();
        Generator g = new Generator(11);
        Tensor x = Tensor.normal(g, 1, 2, new int[] {3, 4, 2, 5}, DType.FLOAT64, Device.CPU).to(d).requiresGrad_(true);
        Tensor w = Tensor.normal(g, 0, 1, new int[] {4}, DType.FLOAT64, Device.CPU).to(d).requiresGrad_(true);
        Tensor b = Tensor.normal(g, 0, 1, new int[] {4}, DType.FLOAT64, Device.CPU).to(d).requiresGrad_(true);
        Tensor gy = Tensor.normal(g, 0, 1, x.shape(), DType.FLOAT64, Device.CPU).to(d);
        Tensor rm = Tensor.normal(g, 0, 1, new int[] {4}, DType.FLOAT64, Device.CPU).to(d);
        Tensor rv = Tensor.normal(g, 0, 1, new int[] {4}, DType.FLOAT64, Device.CPU).abs().add(0.5).to(d);
        for (boolean training : new boolean[] {true, false}) {
            Tensor[] inputs = {x, w, b};
            Tensor y = Functional.batchNorm(x, training ? null : rm, training ? null : rv, w, b, training, 0.1, 1e-5);
            Tensor[] fused = dev.kiln.autograd.Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {gy}, true, false, false);
            Tensor[] composed = dev.kiln.autograd.Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {gy}, false, true, false);
            for (int i = 0; i < inputs.length; i++) {
                Tolerances.BALANCED.of(DType.FLOAT64).assertClose((training ? "training" : "eval") + " gradient " + i,
                        composed[i].detach().to(Device.CPU), fused[i].to(Device.CPU));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void batchNormPrimitives_refuseInputsThatRequireGrad_exceptUnderNoGrad(TestDevice target) {
        Device d = target.use();
        Tensor x = t(d, new double[] {1, 2, 3, 6}, 2, 2).requiresGrad_(true);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Functional.batchNormStats(x));
        assertTrue(e.getMessage().startsWith("batch_norm_stats: not differentiable"), e.getMessage());
        try (var scope = dev.kiln.GradMode.noGrad()) {
            close(new double[] {2, 4}, Functional.batchNormStats(x)[0], "mean under no_grad");
        }
    }
}
