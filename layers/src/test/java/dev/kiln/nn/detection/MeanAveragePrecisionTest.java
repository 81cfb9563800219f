package dev.kiln.nn.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Tensor;
import dev.kiln.nn.detection.MeanAveragePrecision.Detections;
import dev.kiln.nn.detection.MeanAveragePrecision.Targets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** COCO-style mAP on worked cases (pycocotools' rules: greedy matching, monotone precision, 101 recalls). */
class MeanAveragePrecisionTest {
    private static Tensor boxes(double... xyxy) {
        return Tensor.fromArray(xyxy, xyxy.length / 4, 4);
    }

    private static Tensor labels(long... l) {
        return Tensor.fromArray(l, l.length);
    }

    private static Tensor scores(double... s) {
        return Tensor.fromArray(s, s.length);
    }

    @Test
    void exactDetectionsScoreOne() {
        Targets gt = new Targets(boxes(0, 0, 10, 10, 20, 20, 30, 40), labels(0, 1));
        Detections det = new Detections(boxes(20, 20, 30, 40, 0, 0, 10, 10), scores(0.6, 0.9), labels(1, 0));
        MeanAveragePrecision m = MeanAveragePrecision.of(List.of(det, det), List.of(gt, gt), 100);
        assertEquals(new MeanAveragePrecision(1, 1, 1), m);
    }

    /**
     * Ground truths A, B; detections by score: A exactly (TP), a miss (FP), B exactly (TP). Recall .5 .5 1,
     * precision 1 .5 2/3, made non-increasing 1 2/3 2/3: recalls 0..0.50 read 1 (51 points), 0.51..1 read 2/3
     * (50 points), AP = (51 + 50 * 2/3) / 101 at every threshold.
     */
    @Test
    void workedCaseWithAFalsePositive() {
        Targets gt = new Targets(boxes(0, 0, 10, 10, 50, 50, 60, 60), labels(3, 3));
        Detections det = new Detections(boxes(0, 0, 10, 10, 100, 100, 110, 110, 50, 50, 60, 60), scores(0.9, 0.8, 0.7),
                labels(3, 3, 3));
        MeanAveragePrecision m = MeanAveragePrecision.of(List.of(det), List.of(gt), 100);
        double ap = (51 + 50 * 2.0 / 3) / 101;
        assertEquals(ap, m.map(), 1e-12);
        assertEquals(ap, m.map50(), 1e-12);
        // maxDetections 2 drops the last detection: recall reaches only .5, so the 50 higher recall points read 0
        assertEquals(51.0 / 101, MeanAveragePrecision.of(List.of(det), List.of(gt), 2).map(), 1e-12);
    }

    /** A detection at IoU 0.62 counts at thresholds 0.50, 0.55 and 0.60 only: 3 of the 10. */
    @Test
    void thresholdsCountSeparately() {
        Targets gt = new Targets(boxes(0, 0, 10, 10), labels(0));
        Detections det = new Detections(boxes(0, 0, 10, 6.2), scores(0.5), labels(0));
        MeanAveragePrecision m = MeanAveragePrecision.of(List.of(det), List.of(gt), 100);
        assertEquals(0.3, m.map(), 1e-12);
        assertEquals(1, m.map50(), 1e-12);
        assertEquals(0, m.map75(), 1e-12);
    }

    @Test
    void classesWithoutGroundTruthAreLeftOutAndBadShapesNamed() {
        Targets gt = new Targets(boxes(0, 0, 10, 10), labels(0));
        Detections det = new Detections(boxes(0, 0, 10, 10, 5, 5, 8, 8), scores(0.9, 0.95), labels(0, 7));
        assertEquals(1, MeanAveragePrecision.of(List.of(det), List.of(gt), 100).map(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> MeanAveragePrecision.of(List.of(
                new Detections(boxes(0, 0, 1, 1), scores(0.5, 0.4), labels(0))), List.of(gt), 100));
        assertTrue(e.getMessage().contains("detections of image 0") && e.getMessage().contains("scores [2]"), e.getMessage());
    }
}
