package dev.kiln.nn.detection;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Non-maximum suppression as torchvision.ops.nms / batched_nms. Greedy and sequential by nature, it runs
 * on the host over the boxes' values (one copy to the CPU per call) and returns int64 indices on the
 * boxes' device. Equal scores keep their input order (a stable sort; torchvision's order of ties is
 * unspecified).
 */
public final class Nms {
    private Nms() {
    }

    /**
     * Indices of the boxes (N, 4, xyxy) kept, by decreasing score (N): each box suppresses the lower-scored
     * ones whose IoU with it is above iouThreshold.
     */
    public static Tensor nms(Tensor boxes, Tensor scores, double iouThreshold) {
        check("nms", boxes, scores, null);
        double[] b = boxes.to(DType.FLOAT64).toDoubleArray();
        double[] s = scores.to(DType.FLOAT64).toDoubleArray();
        return kept(b, s, iouThreshold, boxes);
    }

    /**
     * nms within each category (idxs (N) int64): boxes of different categories never suppress each other.
     * As torchvision, every box is shifted by its category times (the largest coordinate + 1), so the
     * categories cannot overlap, and one nms runs.
     */
    public static Tensor batchedNms(Tensor boxes, Tensor scores, Tensor idxs, double iouThreshold) {
        check("batched_nms", boxes, scores, idxs);
        int n = boxes.size(0);
        double[] b = boxes.to(DType.FLOAT64).toDoubleArray();
        long[] cat = idxs.toLongArray();
        double offset = Arrays.stream(b).max().orElse(0) + 1;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) {
                b[4 * i + k] += cat[i] * offset;
            }
        }
        return kept(b, scores.to(DType.FLOAT64).toDoubleArray(), iouThreshold, boxes);
    }

    private static Tensor kept(double[] b, double[] s, double threshold, Tensor like) {
        int n = s.length;
        int[] order = HostBoxes.byDecreasingScore(s);
        boolean[] suppressed = new boolean[n];
        long[] keep = new long[n];
        int kept = 0;
        for (int a = 0; a < n; a++) {
            int i = order[a];
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = i;
            for (int c = a + 1; c < n; c++) {
                int j = order[c];
                if (!suppressed[j] && HostBoxes.iou(b, i, b, j) > threshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Tensor.fromArray(Arrays.copyOf(keep, kept), kept).to(like.device());
    }

    private static void check(String op, Tensor boxes, Tensor scores, Tensor idxs) {
        Boxes.check(op, "boxes", boxes);
        if (scores.dim() != 1 || scores.size(0) != boxes.size(0)) {
            throw new IllegalArgumentException(op + ": scores must be (N) for boxes " + Shape.str(boxes.shape()) + ", got "
                    + Shape.str(scores.shape()));
        }
        if (idxs != null && (idxs.dim() != 1 || idxs.size(0) != boxes.size(0) || idxs.dtype() != DType.INT64)) {
            throw new IllegalArgumentException(op + ": idxs must be int64 (N) for boxes " + Shape.str(boxes.shape()) + ", got "
                    + idxs.dtype() + " " + Shape.str(idxs.shape()));
        }
    }
}
