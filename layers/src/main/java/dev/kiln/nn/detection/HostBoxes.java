package dev.kiln.nn.detection;

import java.util.Arrays;
import java.util.Comparator;

/** Boxes and scores held on the host as flat arrays, for the greedy, sequential algorithms (NMS, mAP matching). */
final class HostBoxes {
    private HostBoxes() {
    }

    /** Indices of scores from the largest down; equal scores keep their order (a stable sort). */
    static int[] byDecreasingScore(double[] scores) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** IoU of box i of a and box j of b (each 4 doubles per box); 0 when the union is empty. */
    static double iou(double[] a, int i, double[] b, int j) {
        double w = Math.max(0, Math.min(a[4 * i + 2], b[4 * j + 2]) - Math.max(a[4 * i], b[4 * j]));
        double h = Math.max(0, Math.min(a[4 * i + 3], b[4 * j + 3]) - Math.max(a[4 * i + 1], b[4 * j + 1]));
        double inter = w * h;
        double union = (a[4 * i + 2] - a[4 * i]) * (a[4 * i + 3] - a[4 * i + 1])
                + (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]) - inter;
        return union > 0 ? inter / union : 0;
    }
}
