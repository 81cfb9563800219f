package dev.kiln.cli.train;

import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.Layer;
import dev.kiln.nn.loss.CrossEntropyLoss;

/** The model's mean loss, accuracy and confusion matrix (rows: true class, columns: predicted) on a dataset. */
public record Evaluation(double loss, double accuracy, long[][] confusion) {
    public static Evaluation of(Layer model, LabeledImages data, int batchSize, dev.kiln.Device device, int classes) {
        boolean wasTraining = model.isTraining();
        model.eval();
        CrossEntropyLoss ce = new CrossEntropyLoss();
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        long correct = 0;
        Batches batches = Batches.sequential(data, batchSize, device);
        try (var scope = GradMode.noGrad()) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope batchTensors = MemoryScope.open()) { // released per batch, not left to the GC
                    Batches.Batch batch = batches.get(b);
                    Tensor logits = model.forward(batch.x());
                    lossSum += ce.forward(logits, batch.y()).item() * batch.size();
                    long[] pred = logits.argmax(1, false).toLongArray();
                    long[] truth = batch.y().toLongArray();
                    for (int i = 0; i < pred.length; i++) {
                        confusion[(int) truth[i]][(int) pred[i]]++;
                        correct += pred[i] == truth[i] ? 1 : 0;
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("Evaluation.of: the dataset is empty");
        }
        return new Evaluation(lossSum / data.size(), (double) correct / data.size(), confusion);
    }

    static long countCorrect(Tensor logits, Tensor labels) {
        long[] pred = logits.argmax(1, false).toLongArray();
        long[] truth = labels.toLongArray();
        long n = 0;
        for (int i = 0; i < pred.length; i++) {
            n += pred[i] == truth[i] ? 1 : 0;
        }
        return n;
    }

    /** Recall per class: the share of each true class predicted correctly (NaN for a class with no examples). */
    public double[] perClassAccuracy() {
        double[] acc = new double[confusion.length];
        for (int c = 0; c < confusion.length; c++) {
            long total = 0;
            for (long v : confusion[c]) {
                total += v;
            }
            acc[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return acc;
    }
}
