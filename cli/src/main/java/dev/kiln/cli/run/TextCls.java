package dev.kiln.cli.run;

import dev.kiln.GradMode;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.run.TextBatch.Example;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.checkpoint.AtomicFile;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.ClipGrad;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Text classification on the fortunes: which file (computers, science, politics, ...) a fortune comes from, read as
 * bytes by a bidirectional LSTM or GRU ({@link TextClassifier}) over batches of similar lengths, padded to their
 * longest ({@link LengthBuckets}). Adam 1e-3, gradient norm clipped to 1 (as charlm). The validation fortunes (every
 * tenth of each file) give the loss, the accuracy, the balanced accuracy (the classes are far from even) and the
 * confusion matrix, written as confusion.csv and confusion.png. scripts/workloads/textcls.py is its PyTorch twin.
 */
final class TextCls extends OneModelWorkload {
    static final String CONFUSION_CSV = "confusion.csv";
    static final String CONFUSION_PICTURE = "confusion.png";
    static final String ACCURACY_PICTURE = "accuracy.png";
    static final List<String> FILES = List.of(CONFUSION_CSV, CONFUSION_PICTURE, ACCURACY_PICTURE);
    private static final double CLIP_NORM = 1.0;

    private final RunSettings s;
    private final String model;
    private final FortuneClasses data;
    private final TextClassifier net;
    private final List<Parameter> parameters;
    private final Optimizer optimizer;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();
    private ConfusionMatrix confusion;

    /** model "lstm" or "gru". */
    TextCls(RunSettings s, String model, FortuneClasses data) {
        this.s = s;
        this.model = model;
        this.data = data;
        net = new TextClassifier(model, data.categories().size(), new Generator(s.seed())).to(s.device());
        parameters = net.parameters();
        optimizer = Adam.adam(parameters, 1e-3);
        checkpointed("model", net, optimizer);
    }

    /** The run's name, which the checkpoint records: a resume with other classes or another cut is refused by it. */
    static String name(String model, List<String> categories, int maxLength) {
        return "textcls-" + model + "-" + String.join("+", categories) + "-" + maxLength;
    }

    @Override
    public String name() {
        return name(model, data.categories(), data.maxLength());
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "val_loss", "val_accuracy", "val_balanced_accuracy");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        net.train();
        double loss = pass(LengthBuckets.training(data.train(), s.batchSize(), s.epochSeed(epoch)), progress, null);
        net.eval();
        ConfusionMatrix m = new ConfusionMatrix(data.categories().size());
        double validation;
        try (var noGrad = GradMode.noGrad()) {
            validation = pass(LengthBuckets.validation(data.validation(), s.batchSize()), null, m);
        }
        confusion = m;
        return new double[] {loss, validation, m.accuracy(), m.balancedAccuracy()};
    }

    /**
     * The mean cross-entropy per example over the batches; with progress (training) it learns from each batch and logs
     * it, with confusion (validation) it counts the predictions.
     */
    private double pass(List<List<Example>> batches, RunProgress progress, ConfusionMatrix confusion) {
        double sum = 0;
        long count = 0;
        try (EpochProgress bar = progress == null ? null : progress.bar(batches.size())) {
            for (int i = 0; i < batches.size(); i++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    TextBatch b = TextBatch.of(batches.get(i), s.device());
                    Tensor logits = net.forward(b);                  // (B, classes)
                    Tensor loss = ce.forward(logits, b.labels());
                    if (progress != null) {
                        loss.backward();
                        ClipGrad.clipGradNorm(parameters, CLIP_NORM, 2);
                        optimizer.step();
                        optimizer.zeroGrad();
                    }
                    if (confusion != null) {
                        confusion.add(b.labels().toLongArray(), logits.argmax(1).toLongArray());
                    }
                    double v = loss.item();
                    sum += v * b.size();
                    count += b.size();
                    if (progress != null) {
                        progress.step(i, batches.size(), v);
                        bar.step(1, "loss %.3f", sum / count);
                    }
                }
            }
        }
        return sum / count;
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss %.4f | validation loss %.4f, accuracy %.2f%%, balanced %.2f%%", m[0], m[1],
                100 * m[2], 100 * m[3]);
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        List<String> names = data.categories();
        StringBuilder csv = new StringBuilder("true\\predicted,").append(String.join(",", names)).append('\n');
        for (int t = 0; t < names.size(); t++) {
            csv.append(names.get(t));
            for (int p = 0; p < names.size(); p++) {
                csv.append(',').append(confusion.count(t, p));
            }
            csv.append('\n');
        }
        AtomicFile.write(dir.resolve(CONFUSION_CSV), csv.toString().getBytes(StandardCharsets.UTF_8));
        String title = name() + ", epoch " + history.size();
        TextClsPlots.confusion(dir.resolve(CONFUSION_PICTURE), confusion, names, title);
        TextClsPlots.accuracy(dir.resolve(ACCURACY_PICTURE), history, name());
    }
}
