package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * FCOS's target assignment with centre sampling (Tian et al. 2019; mmdetection's FCOSHead.get_targets) on one feature
 * map of the given stride: location (row i, column j) sits at pixel (stride j + stride / 2, stride i + stride / 2), and
 * is a positive of a box when it lies strictly inside the box clipped to the centre region of RADIUS strides around
 * the box's centre; a location inside several such regions takes the smallest box (the first drawn among equals).
 */
final class FcosTargets {
    static final double RADIUS = 1.5;

    /**
     * A batch's targets on the device.
     *
     * @param classes (B, C, F, F) float32: 1 for the class of a location's box, 0 elsewhere (all 0: background)
     * @param positives (P) int64: the positive locations, flat over (B, F * F)
     * @param boxes (P, 4) float32: the box (xyxy, pixels) each positive regresses to
     */
    record Batch(Tensor classes, Tensor positives, Tensor boxes) {
        int count() {
            return positives.size(0);
        }
    }

    private FcosTargets() {
    }

    /** Each location's box, row-major over cells x cells: an index into boxes, or -1 for background. */
    static int[] assign(Shapes.Box[] boxes, int cells, int stride) {
        int[] owner = new int[cells * cells];
        Arrays.fill(owner, -1);
        for (int i = 0; i < cells; i++) {
            for (int j = 0; j < cells; j++) {
                double x = stride * j + stride / 2.0;
                double y = stride * i + stride / 2.0;
                for (int k = 0; k < boxes.length; k++) {
                    Shapes.Box b = boxes[k];
                    double cx = (b.x1() + b.x2()) / 2.0;
                    double cy = (b.y1() + b.y2()) / 2.0;
                    double r = RADIUS * stride;
                    boolean inside = Math.max(b.x1(), cx - r) < x && x < Math.min(b.x2(), cx + r)
                            && Math.max(b.y1(), cy - r) < y && y < Math.min(b.y2(), cy + r);
                    int o = owner[i * cells + j];
                    if (inside && (o < 0 || b.area() < boxes[o].area())) {
                        owner[i * cells + j] = k;
                    }
                }
            }
        }
        return owner;
    }

    /** The targets of the given images of data, on the device. */
    static Batch of(Shapes data, long[] images, int stride, Device device) {
        int cells = data.size() / stride;
        int locations = cells * cells;
        int classes = Shapes.CLASSES.size();
        float[] onehot = new float[images.length * classes * locations];
        long[] positives = new long[images.length * locations];
        float[] boxes = new float[4 * positives.length];
        int p = 0;
        for (int b = 0; b < images.length; b++) {
            Shapes.Box[] gt = data.boxes((int) images[b]);
            int[] owner = assign(gt, cells, stride);
            for (int l = 0; l < locations; l++) {
                if (owner[l] >= 0) {
                    Shapes.Box box = gt[owner[l]];
                    onehot[(b * classes + box.label()) * locations + l] = 1;
                    boxes[4 * p] = box.x1();
                    boxes[4 * p + 1] = box.y1();
                    boxes[4 * p + 2] = box.x2();
                    boxes[4 * p + 3] = box.y2();
                    positives[p++] = (long) b * locations + l;
                }
            }
        }
        return new Batch(Tensor.fromArray(onehot, images.length, classes, cells, cells).to(device),
                Tensor.fromArray(Arrays.copyOf(positives, p), p).to(device),
                Tensor.fromArray(Arrays.copyOf(boxes, 4 * p), p, 4).to(device));
    }
}
