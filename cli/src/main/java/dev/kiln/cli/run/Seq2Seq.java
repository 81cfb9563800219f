package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.checkpoint.AtomicFile;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.ClipGrad;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Dates written in words to ISO dates ({@link Dates}): a GRU encoder-decoder with additive attention
 * ({@link AttentionGru}) or a transformer encoder-decoder ({@link DateTransformer}), trained by teacher forcing on the
 * token cross-entropy (every target has 10 characters and EOS, so there is no target padding to ignore); Adam 1e-3,
 * gradient norm clipped to 1, each epoch's batches a SplitMix64 shuffle (as the twin's). Validation: the teacher-forced
 * loss and token accuracy, and the exact match of greedy decoding (all 11 tokens right, EOS included). Writes
 * accuracy.png, attention.png (the first validation date's cross-attention) and samples.txt.
 * scripts/workloads/seq2seq.py is its PyTorch twin.
 */
final class Seq2Seq extends OneModelWorkload {
    static final String ACCURACY_PICTURE = "accuracy.png";
    static final String ATTENTION_PICTURE = "attention.png";
    static final String SAMPLES = "samples.txt";
    static final List<String> FILES = List.of(ACCURACY_PICTURE, ATTENTION_PICTURE, SAMPLES);
    static final int SHOWN = 12;
    private static final double CLIP_NORM = 1.0;

    private final RunSettings s;
    private final String model;
    private final Dates data;
    private final Seq2SeqModel net;
    private final List<Parameter> parameters;
    private final Optimizer optimizer;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();
    private final List<String> samples = new ArrayList<>();
    private float[][] attention;   // (T, S) of the first validation date
    private String predicted;      // its greedy decoding

    /** model "gru" or "transformer". */
    Seq2Seq(RunSettings s, String model, Dates data) {
        this.s = s;
        this.model = model;
        this.data = data;
        Generator g = new Generator(s.seed());
        net = (model.equals("gru") ? new AttentionGru(g) : new DateTransformer(g)).to(s.device());
        parameters = net.parameters();
        optimizer = Adam.adam(parameters, 1e-3);
        checkpointed("model", net, optimizer);
    }

    static String name(String model) {
        return "seq2seq-" + model;
    }

    @Override
    public String name() {
        return name(model);
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "val_loss", "val_token_accuracy", "val_exact_match");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        List<Dates.Example> order = new ArrayList<>(data.train());
        new SplitMix64(s.epochSeed(epoch)).shuffle(order);
        List<List<Dates.Example>> batches = batches(order, s.batchSize());
        net.train();
        double sum = 0;
        try (EpochProgress bar = progress.bar(order.size())) {
            for (int i = 0; i < batches.size(); i++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    DateBatch b = DateBatch.of(batches.get(i), s.device());
                    Tensor loss = loss(net.forward(b), b);
                    loss.backward();
                    ClipGrad.clipGradNorm(parameters, CLIP_NORM, 2);
                    optimizer.step();
                    optimizer.zeroGrad();
                    double v = loss.item();
                    sum += v * b.size();
                    progress.step(i, batches.size(), v);
                    bar.step(b.size(), "loss %.3f", v);
                }
            }
        }
        net.eval();
        try (var noGrad = GradMode.noGrad()) {
            double[] v = validate();
            return new double[] {sum / order.size(), v[0], v[1], v[2]};
        }
    }

    /** Consecutive batches of batchSize (the last one shorter). */
    static List<List<Dates.Example>> batches(List<Dates.Example> examples, int batchSize) {
        List<List<Dates.Example>> out = new ArrayList<>();
        for (int start = 0; start < examples.size(); start += batchSize) {
            out.add(examples.subList(start, Math.min(examples.size(), start + batchSize)));
        }
        return out;
    }

    /** The mean token cross-entropy of logits (B, T, V) against the batch's output (B, T). */
    private Tensor loss(Tensor logits, DateBatch b) {
        return ce.forward(logits.reshape(-1, DateBatch.TARGET_VOCABULARY), b.output().reshape(-1));
    }

    /** {loss, token accuracy, exact match} over the validation dates; keeps the first dates' decodings to show. */
    private double[] validate() {
        double loss = 0;
        long tokens = 0;
        long exact = 0;
        samples.clear();
        boolean first = true;
        for (List<Dates.Example> examples : batches(data.validation(), s.batchSize())) {
            try (MemoryScope scope = MemoryScope.open()) {
                DateBatch b = DateBatch.of(examples, s.device());
                Tensor logits = net.forward(b);                                              // (B, T, V)
                loss += loss(logits, b).item() * b.size();
                tokens += (long) logits.argmax(2).eq(b.output()).to(DType.INT64).sum().item();
                Seq2SeqModel.Decoded d = net.greedy(b);
                long[] got = d.tokens().toLongArray();                                       // (B, T)
                long[] want = b.output().toLongArray();
                int t = DateBatch.TARGET_STEPS;
                for (int i = 0; i < b.size(); i++) {
                    boolean right = Arrays.equals(got, i * t, (i + 1) * t, want, i * t, (i + 1) * t);
                    exact += right ? 1 : 0;
                    if (samples.size() < SHOWN) {
                        String text = DateBatch.targetText(Arrays.copyOfRange(got, i * t, (i + 1) * t));
                        samples.add(String.format(Locale.ROOT, "%-30s -> %-10s %s %s", examples.get(i).source(), text,
                                right ? "  " : "!=", examples.get(i).target()));
                    }
                }
                if (first) {
                    keepAttention(d, examples.get(0).source().length(), got);
                    first = false;
                }
            }
        }
        int n = data.validation().size();
        return new double[] {loss / n, (double) tokens / ((long) n * DateBatch.TARGET_STEPS), (double) exact / n};
    }

    /** The first validation date's attention rows (T, its own length: padding has weight 0) and its decoding. */
    private void keepAttention(Seq2SeqModel.Decoded d, int length, long[] got) {
        int t = DateBatch.TARGET_STEPS;
        Tensor a = d.attention().select(0, 0).narrow(1, 0, length).contiguous();             // (T, S_0)
        float[] flat = a.toFloatArray();
        attention = new float[t][length];
        for (int i = 0; i < t; i++) {
            System.arraycopy(flat, i * length, attention[i], 0, length);
        }
        predicted = DateBatch.targetText(Arrays.copyOf(got, t));
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss %.4f | validation loss %.4f, token accuracy %.2f%%, exact match %.2f%%",
                m[0], m[1], 100 * m[2], 100 * m[3]);
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        String title = name() + ", epoch " + history.size();
        Seq2SeqPlots.accuracy(dir.resolve(ACCURACY_PICTURE), history, name());
        Seq2SeqPlots.attention(dir.resolve(ATTENTION_PICTURE), attention, data.validation().get(0).source(), predicted, title);
        String text = "source -> greedy decoding, target (!= where they differ); " + title + "\n"
                + String.join("\n", samples) + "\n";
        AtomicFile.write(dir.resolve(SAMPLES), text.getBytes(StandardCharsets.UTF_8));
    }
}
