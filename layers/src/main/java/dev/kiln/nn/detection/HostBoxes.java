package dev.kiln.nn.detection;

/** IoU of boxes held on the host as flat xyxy arrays, for the greedy, sequential algorithms (NMS, mAP matching). */
final class HostBoxes {
    private HostBoxes() {
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
