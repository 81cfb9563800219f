package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.loss.MSELoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A denoising diffusion model (DDPM, Ho et al. 2020) on Fashion-MNIST scaled to [-1, 1]: each step draws a step t
 * uniformly and noise eps per image, forms x_t ~ q(x_t | x_0) and fits the {@link DiffusionUNet}'s prediction of eps by
 * mean squared error (Adam, lr 1e-3). After each epoch it samples by the ancestral chain: from x_T ~ N(0, I), x_0 is
 * predicted from the predicted noise (clipped to [-1, 1]) and x_{t-1} drawn from the posterior q(x_{t-1} | x_t, x_0)
 * with its variance. scripts/workloads/ddpm.py is its PyTorch twin.
 */
final class Ddpm extends OneModelWorkload {
    static final List<String> FILES = List.of("samples.png", "chain.png");
    private static final int COLUMNS = 10;
    private static final int SAMPLES = 40;
    private static final int CHAIN_ROWS = 8;

    private final RunSettings s;
    private final DiffusionSchedule schedule;
    private final DiffusionUNet model;
    private final Optimizer optimizer;
    private final LabeledImages train;
    private final LabeledImages test;
    private final MSELoss mse = new MSELoss();

    Ddpm(RunSettings s, DiffusionSchedule schedule) {
        this.s = s;
        this.schedule = schedule;
        model = new DiffusionUNet(new Generator(s.seed())).to(s.device());
        optimizer = Adam.adam(model.parameters(), 1e-3);
        checkpointed("unet", model, optimizer);
        train = FashionMnist.train(s.data()).limit(s.limitTrain());
        test = FashionMnist.test(s.data()).limit(s.limitTest());
    }

    /** The run's name: the schedule and its length are part of what a checkpoint resumes. */
    static String name(String schedule, int steps) {
        return "ddpm-" + schedule + "-" + steps;
    }

    @Override
    public String name() {
        return name(schedule.kind, schedule.steps());
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "test_loss");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        Batches batches = s.shuffled(train, epoch);
        Generator noise = new Generator(~s.epochSeed(epoch));
        double sum = 0;
        long seen = 0;
        model.train();
        try (EpochProgress bar = progress.bar(train.size())) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batches.Batch batch = batches.get(b);
                    Tensor loss = noiseLoss(scaled(batch.x()), noise);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    double v = loss.item();
                    sum += v * batch.size();
                    seen += batch.size();
                    progress.step(b, batches.count(), v);
                    bar.step(batch.size(), "loss %.4f", sum / seen);
                }
            }
        }
        return new double[] {sum / seen, testLoss()};
    }

    /** The epsilon-prediction loss on x0 (N, 1, 28, 28) in [-1, 1]: steps and noise drawn from g. */
    private Tensor noiseLoss(Tensor x0, Generator g) {
        long[] t = Tensor.randint(g, 0, schedule.steps(), new int[] {x0.size(0)}, Device.CPU).toLongArray();
        Tensor eps = Tensor.normal(g, 0, 1, x0.shape(), x0.dtype(), x0.device());
        Tensor xt = schedule.noised(x0, t, eps);
        return mse.forward(model.forward(xt, steps(t, x0)), eps);
    }

    /** t (N) as a tensor of like's dtype on its device, the U-Net's step input. */
    private static Tensor steps(long[] t, Tensor like) {
        double[] v = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            v[i] = t[i];
        }
        return Tensor.fromArray(v, t.length).to(like.dtype()).to(like.device());
    }

    /** Normalised Fashion-MNIST pixels on DDPM's [-1, 1] scale. */
    private static Tensor scaled(Tensor normalised) {
        return normalised.mul(FashionMnist.STD).add(FashionMnist.MEAN).clamp(0, 1).mul(2).sub(1);
    }

    /** The test set's mean loss with a fixed stream of steps and noise. */
    private double testLoss() {
        double sum = 0;
        Generator g = new Generator(s.seed() + 7);
        Batches batches = Batches.sequential(test, Math.max(s.batchSize(), 256), s.device());
        model.eval();
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batches.Batch batch = batches.get(b);
                    sum += noiseLoss(scaled(batch.x()), g).item() * batch.size();
                }
            }
        }
        return sum / test.size();
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "noise MSE %.4f | test %.4f", m[0], m[1]);
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    /**
     * samples.png: SAMPLES images drawn by the ancestral chain from fixed noise; chain.png: the first CHAIN_ROWS of them,
     * each row from x_T (left) through the chain to x_0 (right).
     */
    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        model.eval();
        try (var noGrad = GradMode.noGrad(); MemoryScope outer = MemoryScope.open()) {
            Generator g = new Generator(s.seed());
            Tensor x = Tensor.normal(g, 0, 1, new int[] {SAMPLES, 1, 28, 28}, model.parameters().get(0).data().dtype(),
                    s.device());
            List<Tensor> chain = new ArrayList<>();
            int every = Math.max(1, schedule.steps() / (COLUMNS - 1));
            for (int t = schedule.steps() - 1; t >= 0; t--) {
                if ((schedule.steps() - 1 - t) % every == 0 && chain.size() < COLUMNS - 1) {
                    chain.add(x.narrow(0, 0, CHAIN_ROWS));
                }
                try (MemoryScope scope = MemoryScope.open()) {
                    x = scope.keep(denoise(x, t, g));
                }
            }
            chain.add(x.narrow(0, 0, CHAIN_ROWS));
            ImageGrid.write(dir.resolve("samples.png"), pixels(x), COLUMNS);
            Tensor rows = Tensor.stack(chain.toArray(Tensor[]::new), 1);                 // (rows, columns, 1, 28, 28)
            ImageGrid.write(dir.resolve("chain.png"), pixels(rows.reshape(-1, 1, 28, 28)), chain.size());
        }
    }

    /** One step of the ancestral chain: x_{t-1} ~ q(x_{t-1} | x_t, x_0 predicted and clipped); x (N, 1, 28, 28). */
    private Tensor denoise(Tensor x, int t, Generator g) {
        Tensor eps = model.forward(x, Tensor.full(new int[] {x.size(0)}, t, x.dtype(), x.device()));
        Tensor x0 = schedule.predictX0(x, t, eps).clamp(-1, 1);
        Tensor mean = schedule.posteriorMean(x0, x, t);
        if (t == 0) {
            return mean;
        }
        return mean.add(Tensor.normal(g, 0, Math.sqrt(schedule.posteriorVariance[t]), x.shape(), x.dtype(), x.device()));
    }

    /** [-1, 1] back to [0, 1] for a picture. */
    private static Tensor pixels(Tensor x) {
        return x.add(1).mul(0.5).clamp(0, 1);
    }
}
