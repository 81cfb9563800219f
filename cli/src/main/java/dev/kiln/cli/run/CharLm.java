package dev.kiln.cli.run;

import dev.kiln.GradMode;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Fortunes;
import dev.kiln.cli.data.Fortunes.Fortune;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.Recurrent;
import dev.kiln.nn.checkpoint.AtomicFile;
import dev.kiln.nn.loss.CrossEntropyLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.ClipGrad;
import dev.kiln.optim.Optimizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A character language model on the fortunes (the Debian package's text): an LSTM trained by truncated BPTT (the
 * training text as `--batch-size` parallel streams walked in chunks of `--bptt` bytes, the hidden state carried from
 * chunk to chunk and detached at each, so gradients stop at the chunk's start), or a small causal transformer on the
 * same chunks (each seen alone). Adam 1e-3, gradients clipped to norm 1; the validation fortunes (every tenth of each
 * file) give the perplexity per byte. After each epoch samples.txt holds text sampled at three temperatures.
 * scripts/workloads/charlm.py is its PyTorch twin.
 */
final class CharLm extends OneModelWorkload {
    static final String SAMPLES = "samples.txt";
    static final String PICTURE = "perplexity.png";
    static final List<String> FILES = List.of(SAMPLES, PICTURE);
    static final double[] TEMPERATURES = {0.5, 0.8, 1.0};
    private static final double CLIP_NORM = 1.0;

    private final RunSettings s;
    private final String model;
    private final int bptt;
    private final int sampleBytes;
    private final CharCorpus corpus;
    private final long[] trainIds;
    private final long[] validationIds;
    private final CharModel net;
    private final List<Parameter> parameters;
    private final Optimizer optimizer;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    /** model "lstm" or "transformer"; bptt the chunk length (the transformer's context); sampleBytes per temperature. */
    CharLm(RunSettings s, String model, int bptt, int sampleBytes) {
        this.s = s;
        this.model = model;
        this.bptt = bptt;
        this.sampleBytes = sampleBytes;
        List<Fortune> all = Fortunes.read(s.data());
        corpus = new CharCorpus(all);
        Fortunes.Split split = Fortunes.split(all);
        trainIds = corpus.encode(limit(split.train(), s.limitTrain()));
        validationIds = corpus.encode(limit(split.validation(), s.limitTest()));
        Generator g = new Generator(s.seed());
        CharModel m = model.equals("lstm") ? new CharLstm(corpus.size(), g) : new CharTransformer(corpus.size(), bptt, g);
        net = m.to(s.device());
        parameters = net.parameters();
        optimizer = Adam.adam(parameters, 1e-3);
        checkpointed("model", net, optimizer);
    }

    static String name(String model, int bptt) {
        return "charlm-" + model + "-" + bptt;
    }

    @Override
    public String name() {
        return name(model, bptt);
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "val_loss", "val_perplexity");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        net.train();
        double loss = pass(trainIds, progress);
        net.eval();
        double validation;
        try (var noGrad = GradMode.noGrad()) {
            validation = pass(validationIds, null);
        }
        return new double[] {loss, validation, Math.exp(validation)};
    }

    /**
     * The mean cross-entropy (nats per byte) over ids as parallel streams in chunks, carrying the LSTM's state from
     * chunk to chunk; with progress (training) it learns from each chunk and logs it.
     */
    private double pass(long[] ids, RunProgress progress) {
        double sum = 0;
        long count = 0;
        try (MemoryScope carriedStates = MemoryScope.open()) {
            Tensor data = CharCorpus.batchify(ids, s.batchSize(), s.device());  // (B, L)
            int targets = data.size(1) - 1;
            int chunks = (targets + bptt - 1) / bptt;
            Recurrent.State carried = null;
            try (EpochProgress bar = progress == null ? null : progress.bar(chunks)) {
                for (int c = 0; c < chunks; c++) {
                    try (MemoryScope scope = MemoryScope.open()) {
                        int t = Math.min(bptt, targets - c * bptt);
                        Tensor x = data.narrow(1, c * bptt, t);                   // (B, T)
                        Tensor y = data.narrow(1, c * bptt + 1, t);               // (B, T): the next bytes
                        CharModel.Output out = net.forward(x, carried);
                        Tensor loss = ce.forward(out.logits().reshape(-1, corpus.size()), y.reshape(-1));
                        if (progress != null) {
                            loss.backward();
                            ClipGrad.clipGradNorm(parameters, CLIP_NORM, 2);
                            optimizer.step();
                            optimizer.zeroGrad();
                        }
                        carried = out.state() == null ? null : keep(scope, out.state().detach());
                        double v = loss.item();
                        sum += v * x.numel();
                        count += x.numel();
                        if (progress != null) {
                            progress.step(c, chunks, v);
                            bar.step(1, "loss %.3f", sum / count);
                        }
                    }
                }
            }
        }
        return sum / count;
    }

    private static Recurrent.State keep(MemoryScope scope, Recurrent.State state) {
        return new Recurrent.State(scope.keep(state.h()), state.c() == null ? null : scope.keep(state.c()));
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss %.4f | validation %.4f nats/byte, perplexity %.3f", m[0], m[1], m[2]);
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        StringBuilder text = new StringBuilder();
        Random r = new Random(s.seed());
        for (double temperature : TEMPERATURES) {
            text.append(String.format(Locale.ROOT, "=== temperature %.1f, after epoch %d ===\n", temperature, history.size()));
            text.append(new String(sample(temperature, r), StandardCharsets.UTF_8)).append('\n');
        }
        AtomicFile.write(dir.resolve(SAMPLES), text.toString().getBytes(StandardCharsets.UTF_8));
        CharLmPlots.perplexity(dir.resolve(PICTURE), steps, history, name());
    }

    /** sampleBytes bytes drawn one at a time from softmax(logits / temperature), starting after a "%" line. */
    private byte[] sample(double temperature, Random r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] history = new long[sampleBytes + CharCorpus.SEPARATOR.length];
        long[] prompt = corpus.encode(CharCorpus.SEPARATOR);
        System.arraycopy(prompt, 0, history, 0, prompt.length);
        int length = prompt.length;
        net.eval();
        try (var noGrad = GradMode.noGrad(); MemoryScope states = MemoryScope.open()) {
            Recurrent.State carried = null;
            int from = 0; // the LSTM reads each byte once, carrying its state; the transformer rereads its window
            while (out.size() < sampleBytes) {
                try (MemoryScope scope = MemoryScope.open()) {
                    int start = Math.max(from, length - net.context());
                    long[] window = Arrays.copyOfRange(history, start, length);
                    Tensor x = Tensor.fromArray(window, 1, window.length).to(s.device()); // (1, T)
                    CharModel.Output o = net.forward(x, carried);
                    double[] p = o.logits().select(1, window.length - 1).div(temperature).softmax(-1).toDoubleArray();
                    int next = draw(p, r.nextDouble());
                    out.write(corpus.decode(next));
                    history[length++] = next;
                    if (o.state() != null) {
                        carried = keep(scope, o.state());
                        from = length - 1;
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** The index at which the running sum of p first passes u (the last when rounding leaves it short). */
    static int draw(double[] p, double u) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += p[i];
            if (u < sum) {
                return i;
            }
        }
        return p.length - 1;
    }

    private static List<Fortune> limit(List<Fortune> fortunes, int limit) {
        return limit > 0 && limit < fortunes.size() ? fortunes.subList(0, limit) : fortunes;
    }
}
