package dev.kiln.nn.detection;

import dev.kiln.DType;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * COCO-style mean average precision over images, as pycocotools' bbox evaluation (all areas, at most
 * maxDetections per image): per class and IoU threshold 0.50:0.05:0.95, detections of every image in
 * decreasing score (ties in image order) are matched greedily, each to the unmatched ground truth it
 * overlaps most with IoU at or above the threshold; precision is made non-increasing and read at the 101
 * recalls 0, 0.01, ..., 1; classes without ground truth are left out. Computed on the host in float64.
 *
 * @param map mAP@[.5:.95], the mean over classes and the ten thresholds
 * @param map50 mAP at IoU 0.5
 * @param map75 mAP at IoU 0.75
 */
public record MeanAveragePrecision(double map, double map50, double map75) {
    /** One image's detections: boxes (P, 4) xyxy, scores (P), labels (P) int64. */
    public record Detections(Tensor boxes, Tensor scores, Tensor labels) {
    }

    /** One image's ground truth: boxes (G, 4) xyxy, labels (G) int64. */
    public record Targets(Tensor boxes, Tensor labels) {
    }

    private static final int THRESHOLDS = 10;
    private static final int RECALLS = 101;

    public static MeanAveragePrecision of(List<Detections> detections, List<Targets> targets, int maxDetections) {
        if (detections.size() != targets.size()) {
            throw new IllegalArgumentException("mean_average_precision: " + detections.size() + " images of detections but "
                    + targets.size() + " of targets");
        }
        List<Image> images = new ArrayList<>();
        TreeSet<Long> classes = new TreeSet<>();
        for (int i = 0; i < detections.size(); i++) {
            Image im = Image.of(i, detections.get(i), targets.get(i), maxDetections);
            images.add(im);
            for (long l : im.gtLabels) {
                classes.add(l);
            }
        }
        double[] sum = new double[THRESHOLDS];
        for (long c : classes) {
            for (int t = 0; t < THRESHOLDS; t++) {
                sum[t] += averagePrecision(images, c, 0.5 + 0.05 * t);
            }
        }
        int n = classes.size();
        if (n == 0) {
            return new MeanAveragePrecision(Double.NaN, Double.NaN, Double.NaN);
        }
        double all = 0;
        for (double s : sum) {
            all += s;
        }
        return new MeanAveragePrecision(all / (n * THRESHOLDS), sum[0] / n, sum[5] / n);
    }

    /** AP of class c at IoU threshold t: 101-point interpolated precision. */
    private static double averagePrecision(List<Image> images, long c, double t) {
        record Scored(double score, int image, boolean tp) {
        }
        List<Scored> scored = new ArrayList<>();
        int positives = 0;
        for (Image im : images) {
            positives += im.count(c);
            boolean[] tp = im.match(c, Math.min(t, 1 - 1e-10));
            int k = 0;
            for (int d : im.order) {
                if (im.detLabels[d] == c) {
                    scored.add(new Scored(im.scores[d], im.index, tp[k++]));
                }
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed()); // stable: ties stay in image order
        int n = scored.size();
        double[] precision = new double[n];
        double[] recall = new double[n];
        int tps = 0;
        for (int i = 0; i < n; i++) {
            tps += scored.get(i).tp() ? 1 : 0;
            precision[i] = tps / (double) (i + 1);
            recall[i] = tps / (double) positives;
        }
        for (int i = n - 2; i >= 0; i--) {
            precision[i] = Math.max(precision[i], precision[i + 1]);
        }
        double ap = 0;
        int at = 0;
        for (int r = 0; r < RECALLS; r++) {
            double level = r / (double) (RECALLS - 1);
            while (at < n && recall[at] < level) {
                at++;
            }
            ap += at < n ? precision[at] : 0;
        }
        return ap / RECALLS;
    }

    /** One image on the host: detections in decreasing score (the first maxDetections), ground truth, IoUs. */
    private record Image(int index, double[] boxes, double[] scores, long[] detLabels, int[] order, double[] gt,
                         long[] gtLabels) {
        static Image of(int index, Detections d, Targets g, int maxDetections) {
            check(d.boxes(), d.scores(), d.labels(), "detections of image " + index);
            check(g.boxes(), null, g.labels(), "targets of image " + index);
            double[] scores = d.scores().to(DType.FLOAT64).toDoubleArray();
            int[] ranked = HostBoxes.byDecreasingScore(scores);
            int[] order = java.util.Arrays.copyOf(ranked, Math.min(ranked.length, maxDetections));
            return new Image(index, d.boxes().to(DType.FLOAT64).toDoubleArray(), scores, d.labels().toLongArray(), order,
                    g.boxes().to(DType.FLOAT64).toDoubleArray(), g.labels().toLongArray());
        }

        int count(long c) {
            int n = 0;
            for (long l : gtLabels) {
                n += l == c ? 1 : 0;
            }
            return n;
        }

        /** For this image's class-c detections in score order: matched to a ground truth at IoU >= t. */
        boolean[] match(long c, double t) {
            boolean[] taken = new boolean[gtLabels.length];
            List<Boolean> out = new ArrayList<>();
            for (int d : order) {
                if (detLabels[d] != c) {
                    continue;
                }
                int best = -1;
                double bestIou = t;
                for (int j = 0; j < gtLabels.length; j++) {
                    if (gtLabels[j] == c && !taken[j]) {
                        double iou = HostBoxes.iou(boxes, d, gt, j);
                        if (iou >= bestIou) {
                            bestIou = iou;
                            best = j;
                        }
                    }
                }
                if (best >= 0) {
                    taken[best] = true;
                }
                out.add(best >= 0);
            }
            boolean[] r = new boolean[out.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = out.get(i);
            }
            return r;
        }

        private static void check(Tensor boxes, Tensor scores, Tensor labels, String what) {
            int n = boxes.dim() == 2 && boxes.size(1) == 4 ? boxes.size(0) : -1;
            if (n < 0 || labels.dim() != 1 || labels.size(0) != n || labels.dtype() != DType.INT64
                    || scores != null && (scores.dim() != 1 || scores.size(0) != n)) {
                throw new IllegalArgumentException("mean_average_precision: " + what + " need boxes (N, 4), "
                        + (scores == null ? "" : "scores (N), ") + "int64 labels (N), got boxes " + Shape.str(boxes.shape())
                        + (scores == null ? "" : ", scores " + Shape.str(scores.shape())) + ", labels " + labels.dtype() + " "
                        + Shape.str(labels.shape()));
            }
        }
    }
}
