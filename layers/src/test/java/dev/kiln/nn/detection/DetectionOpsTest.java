package dev.kiln.nn.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.nn.loss.Reduction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Box and mask ops against torchvision 0.14 (Debian's python3-torchvision): the expected values are what
 * {@code /usr/bin/python3 layers/scripts/detection_reference.py} prints for the same inputs, in float64.
 */
class DetectionOpsTest {
    private static final double[][] B1 = {{0, 0, 2, 2}, {1, 1, 3, 4}, {0.5, 0.5, 1.5, 2.5}};
    private static final double[][] B2 = {{1, 0, 3, 2}, {0, 0, 1, 1}};
    private static final double[][] A2 = {{1, 0, 3, 2}, {2, 2, 5, 5}};

    private static Tensor t(double[][] rows, Device d) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return Tensor.fromArray(flat, rows.length, rows[0].length).to(d);
    }

    private static void close(double[] want, Tensor got) {
        double[] g = got.to(Device.CPU).toDoubleArray();
        assertEquals(want.length, g.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], g[i], 1e-12 + 1e-12 * Math.abs(want[i]), "element " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void iouFamilyMatchesTorchvision(String device) {
        Device d = Device.parse(device);
        close(new double[] {0.3333333333333333, 0.25, 0.25, 0.0, 0.14285714285714285, 0.09090909090909091},
                Boxes.boxIou(t(B1, d), t(B2, d)));
        close(new double[] {0.3333333333333333, 0.25, 0.25, -0.4166666666666667, -0.017142857142857154, -0.17575757575757575},
                Boxes.generalizedBoxIou(t(B1, d), t(B2, d)));
        close(new double[] {0.25641025700197234, 0.18750000078124998, 0.1375000005625, -0.249999999, 0.04285714365714284,
            -0.056149730890217076}, Boxes.distanceBoxIou(t(B1, d), t(B2, d), 1e-7));
        close(new double[] {0.25641025700197234, 0.18750000078124998, 0.13717434449643812, -0.25024550675350477,
            0.04089924598238935, -0.05800068440785664}, Boxes.completeBoxIou(t(B1, d), t(B2, d), 1e-7));
        close(new double[] {0, 2, 4, 4}, Boxes.boxConvert(t(new double[][] {{2, 3, 4, 2}}, d), "cxcywh", "xyxy"));
        close(new double[] {4, 6, 2}, Boxes.boxArea(t(B1, d)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void lossesMatchTorchvision(String device) {
        Device d = Device.parse(device);
        Tensor b1 = t(new double[][] {B1[0], B1[1]}, d);
        close(new double[] {0.6666666722222221, 1.033653846165403},
                DetectionLosses.generalizedBoxIouLoss(b1, t(A2, d), Reduction.NONE, 1e-7));
        close(new double[] {0.7435897485535831, 0.9477163470198953},
                DetectionLosses.distanceBoxIouLoss(b1, t(A2, d), Reduction.NONE, 1e-7));
        close(new double[] {0.7435897485535831, 0.9480056747215495},
                DetectionLosses.completeBoxIouLoss(b1, t(A2, d), Reduction.NONE, 1e-7));
        Tensor logits = t(new double[][] {{-1.5, 0.2, 3.0}, {0.7, -0.3, 2.2}}, d);
        Tensor targets = t(new double[][] {{0, 1, 1}, {1, 0, 0}}, d);
        close(new double[] {0.005027135194931745, 0.030303125231616646, 2.732083112424916e-05, 0.011097630935326914,
            0.0752949566164478, 1.4011146679351036}, DetectionLosses.sigmoidFocalLoss(logits, targets, 0.25, 2, Reduction.NONE));
        double sum = 0.005027135194931745 + 0.030303125231616646 + 2.732083112424916e-05 + 0.011097630935326914
                + 0.0752949566164478 + 1.4011146679351036;
        close(new double[] {sum / 6}, DetectionLosses.sigmoidFocalLoss(logits, targets, 0.25, 2, Reduction.MEAN));
        Tensor quality = t(new double[][] {{0, 0.8, 0}, {0.35, 0, 1}}, d);
        close(new double[] {0.005027135194931744, 0.5105110955052735, 2.074710330768947, 0.3003651171099102,
            0.0752949566164478, 0.10508331976869593}, DetectionLosses.varifocalLoss(logits, quality, 0.75, 2, Reduction.NONE));
        Tensor bins = t(new double[][] {{0.3, -1.0, 2.0, 0.5}, {1.2, 0.1, -0.4, 0.0}}, d);
        close(new double[] {2.625418703772104, 1.1575684932918815},
                DetectionLosses.distributionFocalLoss(bins, Tensor.fromArray(new double[] {1.25, 0.5}, 2).to(d), Reduction.NONE));
    }

    /** CIoU's alpha is held constant (torchvision computes it under no_grad): the gradient is torchvision's, not gradcheck's. */
    @Test
    void completeIouLossGradientHoldsAlphaAsTorchvision() {
        Tensor b1 = t(new double[][] {B1[0], B1[1]}, Device.CPU).requiresGrad_(true);
        DetectionLosses.completeBoxIouLoss(b1, t(A2, Device.CPU), Reduction.SUM, 1e-7).backward();
        close(new double[] {-0.15253122570508615, 0.01183432073344962, -0.41025640410913883, -0.01183432073344962,
            -0.05631084436294485, -0.029979006205453018, -0.18956332185462124, -0.09588776443384761}, b1.grad());
    }

    @Test
    void gradcheckOfTheDifferentiableOnes() {
        Generator g = new Generator(3);
        // boxes with x2 > x1, y2 > y1, overlapping in general position (no ties at the max/min kinks)
        Tensor xy = Tensor.rand(g, 4, 2).to(DType.FLOAT64);
        Tensor wh = Tensor.rand(g, 4, 2).to(DType.FLOAT64).add(0.5);
        Tensor boxes1 = Tensor.cat(new Tensor[] {xy, xy.add(wh)}, 1).requiresGrad_(true);
        Tensor boxes2 = Tensor.cat(new Tensor[] {xy.add(0.21), xy.add(wh).add(0.13)}, 1).requiresGrad_(true);
        GradCheck.gradcheck(a -> Boxes.generalizedBoxIou(a[0], a[1]), boxes1, boxes2);
        GradCheck.gradcheck(a -> Boxes.distanceBoxIou(a[0], a[1], 1e-7), boxes1, boxes2);
        GradCheck.gradcheck(a -> DetectionLosses.generalizedBoxIouLoss(a[0], a[1], Reduction.SUM, 1e-7), boxes1, boxes2);
        GradCheck.gradcheck(a -> DetectionLosses.distanceBoxIouLoss(a[0], a[1], Reduction.MEAN, 1e-7), boxes1, boxes2);

        Tensor logits = Tensor.randn(g, 3, 5).to(DType.FLOAT64).requiresGrad_(true);
        Tensor targets = Tensor.rand(g, 3, 5).to(DType.FLOAT64).gt(0.5).to(DType.FLOAT64);
        GradCheck.gradcheck(a -> DetectionLosses.sigmoidFocalLoss(a[0], targets, 0.25, 2, Reduction.MEAN), logits);
        Tensor quality = Tensor.rand(g, 3, 5).to(DType.FLOAT64).mul(targets);
        GradCheck.gradcheck(a -> DetectionLosses.varifocalLoss(a[0], quality, 0.75, 2, Reduction.SUM), logits);
        Tensor distance = Tensor.rand(g, 3).to(DType.FLOAT64).mul(3.6).add(0.2); // in (0.2, 3.8), away from bin edges
        GradCheck.gradcheck(a -> DetectionLosses.distributionFocalLoss(a[0], distance, Reduction.MEAN), logits);
        Tensor soft = Tensor.rand(g, 2, 3, 4).to(DType.FLOAT64).requiresGrad_(true);
        Tensor mask = Tensor.rand(g, 2, 3, 4).to(DType.FLOAT64).gt(0.5);
        GradCheck.gradcheck(a -> MaskMetrics.dice(a[0], mask, 1e-6), soft);
        GradCheck.gradcheck(a -> MaskMetrics.iou(a[0], mask, 1e-6), soft);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emu:0"})
    void nmsKeepsWhatTorchvisionKeeps(String device) {
        Device d = Device.parse(device);
        Tensor boxes = t(new double[][] {{0, 0, 10, 10}, {1, 1, 11, 11}, {20, 20, 30, 30}, {0, 0, 10, 9}}, d);
        Tensor scores = Tensor.fromArray(new double[] {0.9, 0.8, 0.7, 0.95}, 4).to(d);
        Tensor kept = Nms.nms(boxes, scores, 0.5);
        assertEquals(d, kept.device());
        assertArrayEquals(new long[] {3, 2}, kept.toLongArray());
        assertArrayEquals(new long[] {3, 1, 2},
                Nms.batchedNms(boxes, scores, Tensor.fromArray(new long[] {0, 1, 0, 0}, 4).to(d), 0.5).toLongArray());
        assertArrayEquals(new long[] {3, 0, 1, 2}, Nms.nms(boxes, scores, 0.95).toLongArray(), "nothing overlaps that much");
        assertEquals(0, Nms.nms(Tensor.zeros(0, 4), Tensor.zeros(0), 0.5).numel());
    }

    @Test
    void maskOverlapWorkedCases() {
        // sample 0: P = {0, 1}, T = {1, 2}: |PT| 1, |P| 2, |T| 2 -> dice 2/4, iou 1/3; sample 1: both empty -> 1
        Tensor pred = Tensor.fromArray(new boolean[] {true, true, false, false, false, false}, 2, 3);
        Tensor target = Tensor.fromArray(new boolean[] {false, true, true, false, false, false}, 2, 3);
        assertArrayEquals(new float[] {0.5f, 1f}, MaskMetrics.dice(pred, target, 1e-6).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1f / 3, 1f}, MaskMetrics.iou(pred, target, 1e-6).toFloatArray(), 1e-6f);
    }

    @Test
    void badInputNamesTheOpAndTheShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Boxes.boxIou(Tensor.zeros(3, 5), Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("box_iou: boxes1 must be (N, 4), got [3, 5]"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class,
                () -> DetectionLosses.generalizedBoxIouLoss(Tensor.zeros(3, 4), Tensor.zeros(2, 4), Reduction.NONE, 1e-7));
        assertTrue(f.getMessage().contains("[3, 4]") && f.getMessage().contains("[2, 4]"), f.getMessage());
        var s = assertThrows(IllegalArgumentException.class, () -> Nms.nms(Tensor.zeros(3, 4), Tensor.zeros(2), 0.5));
        assertTrue(s.getMessage().contains("nms: scores must be (N)"), s.getMessage());
        var dfl = assertThrows(IllegalArgumentException.class, () -> DetectionLosses.distributionFocalLoss(Tensor.zeros(2, 4),
                Tensor.fromArray(new float[] {1f, 3f}, 2), Reduction.NONE));
        assertTrue(dfl.getMessage().contains("[0, 3) for 4 bins"), dfl.getMessage());
        var c = assertThrows(IllegalArgumentException.class, () -> Boxes.boxConvert(Tensor.zeros(1, 4), "xyxy", "yxyx"));
        assertTrue(c.getMessage().contains("'yxyx'"), c.getMessage());
    }
}
