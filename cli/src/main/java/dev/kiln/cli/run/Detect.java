package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.detection.DetectionLosses;
import dev.kiln.nn.detection.MeanAveragePrecision;
import dev.kiln.nn.detection.MeanAveragePrecision.Detections;
import dev.kiln.nn.loss.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Object detection on synthetic shapes ({@link Shapes}): an anchor-free FCOS-style detector ({@link ShapeDetector})
 * learns where the rectangles and ellipses of each image are. Targets by FCOS's centre sampling ({@link FcosTargets});
 * the loss is RetinaNet's sigmoid focal loss (alpha 0.25, gamma 2) summed over every location and class and divided by
 * the batch's positives, plus the GIoU loss of the positives' boxes (their mean). Adam, lr 1e-3. After each epoch the
 * validation images are decoded ({@link FcosDecoder}: top-k, batched NMS) and scored by COCO's mAP@0.5 and
 * mAP@[.5:.95]. Training images come from SplitMix64(seed), validation images from SplitMix64(~seed).
 * scripts/workloads/detect.py is its PyTorch twin.
 */
final class Detect extends OneModelWorkload {
    static final String CURVES = "map.png";
    static final String PICTURE = "detections.png";
    static final List<String> FILES = List.of(CURVES, PICTURE);
    static final double LR = 1e-3;
    static final double FOCAL_ALPHA = 0.25;
    static final double FOCAL_GAMMA = 2;
    static final double GIOU_EPS = 1e-7;
    /** Validation images drawn in detections.png. */
    static final int SHOWN = 16;
    private static final int EVAL_BATCH = 100;

    private final RunSettings s;
    private final int width;
    private final Shapes train;
    private final Shapes validation;
    private final LabeledImages trainImages;
    private final ShapeDetector net;
    private final Optimizer optimizer;
    private List<Detections> shown = List.of();

    /** trainSize and validationSize images of size x size pixels; width the backbone's first width. */
    Detect(RunSettings s, int trainSize, int validationSize, int size, int width) {
        this.s = s;
        this.width = width;
        train = Shapes.generate(s.seed(), trainSize, size);
        validation = Shapes.generate(~s.seed(), validationSize, size);
        trainImages = train.images();
        net = new ShapeDetector(width, Shapes.CLASSES.size(), new Generator(s.seed())).to(s.device());
        optimizer = Adam.adam(net.parameters(), LR);
        checkpointed("model", net, optimizer);
    }

    /** The data's sizes, as the twin prints them: the same numbers say both drew the same images. */
    String summary() {
        return String.format(Locale.ROOT, "%d training images (%d objects), %d validation images (%d objects), %dx%d",
                train.count(), objects(train), validation.count(), objects(validation), train.size(), train.size());
    }

    private static int objects(Shapes data) {
        int n = 0;
        for (int i = 0; i < data.count(); i++) {
            n += data.boxes(i).length;
        }
        return n;
    }

    /** The run's name: the image size and the width, which a resumed run must keep. */
    static String name(int size, int width) {
        return "detect-" + size + "px-w" + width;
    }

    @Override
    public String name() {
        return name(train.size(), width);
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "cls_loss", "box_loss", "val_map", "val_map50", "val_map75");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        Batches batches = s.shuffled(trainImages, epoch);
        double clsSum = 0;
        double boxSum = 0;
        long seen = 0;
        net.train();
        try (EpochProgress bar = progress.bar(train.count())) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) { // parameters and Adam's state persist; the rest goes here
                    Batches.Batch batch = batches.get(b);
                    FcosTargets.Batch t = FcosTargets.of(train, batch.y().toLongArray(), ShapeDetector.STRIDE, s.device());
                    ShapeDetector.Output o = net.forward(batch.x());
                    Tensor cls = DetectionLosses.sigmoidFocalLoss(o.logits(), t.classes(), FOCAL_ALPHA, FOCAL_GAMMA,
                            Reduction.SUM).div(Math.max(1, t.count()));
                    Tensor predicted = FcosDecoder.boxes(o.distances(), ShapeDetector.STRIDE).reshape(-1, 4)   // (B F F, 4)
                            .indexSelect(0, t.positives());                                                  // (P, 4)
                    Tensor box = DetectionLosses.generalizedBoxIouLoss(predicted, t.boxes(), Reduction.MEAN, GIOU_EPS);
                    cls.add(box).backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    double lc = cls.item();
                    double lb = box.item();
                    clsSum += lc * batch.size();
                    boxSum += lb * batch.size();
                    seen += batch.size();
                    progress.step(b, batches.count(), lc, lb);
                    bar.step(batch.size(), "cls %.3f box %.3f", clsSum / seen, boxSum / seen);
                }
            }
        }
        MeanAveragePrecision map = evaluate();
        return new double[] {(clsSum + boxSum) / seen, clsSum / seen, boxSum / seen, map.map(), map.map50(), map.map75()};
    }

    /** Every validation image decoded and scored; the first SHOWN images' detections are kept for the picture. */
    private MeanAveragePrecision evaluate() {
        net.eval();
        List<Detections> all = new ArrayList<>();
        List<MeanAveragePrecision.Targets> targets = new ArrayList<>();
        Batches batches = Batches.sequential(validation.images(), EVAL_BATCH, s.device());
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    ShapeDetector.Output o = net.forward(batches.get(b).x());
                    for (Detections d : FcosDecoder.detections(o.logits(), FcosDecoder.boxes(o.distances(),
                            ShapeDetector.STRIDE), validation.size())) {
                        all.add(new Detections(scope.keep(d.boxes()), scope.keep(d.scores()), scope.keep(d.labels())));
                    }
                }
            }
        }
        for (int i = 0; i < validation.count(); i++) {
            targets.add(validation.targets(i));
        }
        shown = all.subList(0, Math.min(SHOWN, all.size()));
        return MeanAveragePrecision.of(all, targets, FcosDecoder.MAX_DETECTIONS);
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss %.4f (cls %.4f, box %.4f) | validation mAP@0.5 %.2f%% mAP@[.5:.95] %.2f%%",
                m[0], m[1], m[2], 100 * m[4], 100 * m[3]);
    }

    @Override
    public List<String> stepColumns() {
        return List.of("cls_loss", "box_loss");
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        DetectPlots.draw(dir.resolve(CURVES), history, steps);
        DetectionGrid.write(dir.resolve(PICTURE), validation, shown);
    }
}
