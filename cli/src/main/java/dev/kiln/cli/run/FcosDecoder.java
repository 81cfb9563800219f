package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.nn.detection.MeanAveragePrecision.Detections;
import dev.kiln.nn.detection.Nms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * From the detector's outputs to boxes: each location's box from its distances, and torchvision's FCOS
 * postprocess_detections per image: the scores sigmoid(logit) of every (location, class) above SCORE_THRESHOLD, the
 * TOP_K best of them, their boxes clipped to the image, batched NMS per class at NMS_THRESHOLD, the best
 * MAX_DETECTIONS kept.
 */
final class FcosDecoder {
    static final double SCORE_THRESHOLD = 0.05;
    static final int TOP_K = 100;
    static final double NMS_THRESHOLD = 0.6;
    static final int MAX_DETECTIONS = 100;

    private FcosDecoder() {
    }

    /** distances (N, 4, F, F) of locations at pixel (stride j + stride / 2, stride i + stride / 2) -> boxes (N, F * F, 4). */
    static Tensor boxes(Tensor distances, int stride) {
        int n = distances.size(0);
        int cells = distances.size(2);
        float[] centres = new float[2 * cells * cells];                   // (F * F, 2): x, y of each location
        for (int l = 0; l < cells * cells; l++) {
            centres[2 * l] = stride * (l % cells) + stride / 2f;
            centres[2 * l + 1] = stride * (l / cells) + stride / 2f;
        }
        Tensor c = Tensor.fromArray(centres, cells * cells, 2).to(distances.device());
        Tensor d = distances.permute(0, 2, 3, 1).reshape(n, cells * cells, 4);   // (N, F * F, 4): l, t, r, b
        return Tensor.cat(new Tensor[] {c.sub(d.narrow(2, 0, 2)), c.add(d.narrow(2, 2, 2))}, 2);
    }

    /** logits (N, C, F, F) and boxes (N, F * F, 4) of images size x size pixels -> each image's detections, on the cpu. */
    static List<Detections> detections(Tensor logits, Tensor boxes, int size) {
        int n = logits.size(0);
        int classes = logits.size(1);
        int locations = boxes.size(1);
        float[] scores = logits.sigmoid().to(Device.CPU).contiguous().toFloatArray();   // (N, C, F * F)
        float[] xyxy = boxes.to(Device.CPU).contiguous().toFloatArray();                // (N, F * F, 4)
        List<Detections> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int from = i * classes * locations;
            Integer[] candidates = IntStream.range(0, classes * locations)
                    .filter(k -> scores[from + k] > SCORE_THRESHOLD).boxed().toArray(Integer[]::new);
            Arrays.sort(candidates, Comparator.comparingDouble((Integer k) -> scores[from + k]).reversed());   // stable
            int kept = Math.min(candidates.length, TOP_K);
            float[] b = new float[4 * kept];
            float[] s = new float[kept];
            long[] labels = new long[kept];
            for (int k = 0; k < kept; k++) {
                int c = candidates[k] / locations;
                int l = candidates[k] % locations;
                for (int side = 0; side < 4; side++) {
                    b[4 * k + side] = Math.max(0, Math.min(size, xyxy[4 * (i * locations + l) + side]));
                }
                s[k] = scores[from + candidates[k]];
                labels[k] = c;
            }
            Tensor bt = Tensor.fromArray(b, kept, 4);
            Tensor st = Tensor.fromArray(s, kept);
            Tensor lt = Tensor.fromArray(labels, kept);
            Tensor keep = Nms.batchedNms(bt, st, lt, NMS_THRESHOLD);
            keep = keep.narrow(0, 0, Math.min(keep.size(0), MAX_DETECTIONS));
            out.add(new Detections(bt.indexSelect(0, keep), st.indexSelect(0, keep), lt.indexSelect(0, keep)));
        }
        return out;
    }
}
