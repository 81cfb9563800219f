package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.GradMode;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Init;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A DCGAN (Radford et al.) on Fashion-MNIST: a generator of transposed convolutions with batch norm and ReLU from 64-d
 * noise to 28x28 images in [-1, 1] (tanh), a discriminator of strided convolutions with LeakyReLU(0.2) to one logit,
 * weights from N(0, 0.02) (batch norms' from N(1, 0.02)), Adam lr 2e-4 with beta1 0.5. Each step the discriminator
 * learns real (1) against generated (0) images, the generated batch {@code detach}ed so no gradient reaches the
 * generator, then the generator learns to have its images called real (the non-saturating loss), both with
 * binary cross-entropy on logits. Pictures: a grid from fixed noise after each epoch, and both losses per step.
 * scripts/workloads/gan.py is its PyTorch twin.
 */
final class Gan implements Workload {
    static final int NOISE = 64;
    static final List<String> FILES = List.of("samples.png", "losses.png");

    private final RunSettings s;
    private final Sequential generator;
    private final Sequential discriminator;
    private final Optimizer optG;
    private final Optimizer optD;
    private final LabeledImages train;
    private final BCEWithLogitsLoss bce = new BCEWithLogitsLoss();

    Gan(RunSettings s) {
        this.s = s;
        Generator g = new Generator(s.seed());
        generator = new Sequential(new ConvTranspose2d(NOISE, 128, 7, 1, 0, 0, 1, false, 1, g), new BatchNorm2d(128), new ReLU(),
                new ConvTranspose2d(128, 64, 4, 2, 1, 0, 1, false, 1, g), new BatchNorm2d(64), new ReLU(),
                new ConvTranspose2d(64, 1, 4, 2, 1, 0, 1, false, 1, g), new Tanh());                 // (N, 1, 28, 28)
        discriminator = new Sequential(new Conv2d(1, 64, 4, 2, 1, 1, 1, false, g), new LeakyReLU(0.2),
                new Conv2d(64, 128, 4, 2, 1, 1, 1, false, g), new BatchNorm2d(128), new LeakyReLU(0.2),
                new Conv2d(128, 1, 7, 1, 0, 1, 1, false, g), new Flatten());                            // (N, 1) logits
        for (Sequential net : List.of(generator, discriminator)) {                                 // DCGAN's init
            net.namedParameters().forEach((name, p) -> {
                if (p.shape().length > 1) {
                    Init.normal(p.data(), 0, 0.02, g);                                                  // convolutions
                } else if (name.endsWith("weight")) {
                    Init.normal(p.data(), 1, 0.02, g);                                                  // batch norms' scale
                } else {
                    Init.zeros(p.data());
                }
            });
        }
        generator.to(s.device());
        discriminator.to(s.device());
        optG = Adam.adam(generator.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false);
        optD = Adam.adam(discriminator.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false);
        train = FashionMnist.train(s.data()).limit(s.limitTrain());
    }

    @Override
    public String name() {
        return "gan";
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss_d", "loss_g", "d_real", "d_fake");
    }

    @Override
    public Map<String, Module> modules() {
        Map<String, Module> m = new LinkedHashMap<>();
        m.put("generator", generator);
        m.put("discriminator", discriminator);
        return m;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        Map<String, Optimizer> m = new LinkedHashMap<>();
        m.put("optimizer_g", optG);
        m.put("optimizer_d", optD);
        return m;
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        Batches batches = s.shuffled(train, epoch);
        Generator noise = new Generator(~s.epochSeed(epoch));
        double[] sums = new double[4];
        long seen = 0;
        generator.train();
        discriminator.train();
        try (EpochProgress bar = progress.bar(train.size())) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) { // parameters and Adam's states persist; the rest goes here
                    Batches.Batch batch = batches.get(b);
                    int n = batch.size();
                    Tensor real = batch.x().mul(FashionMnist.STD).add(FashionMnist.MEAN).clamp(0, 1).mul(2).sub(1); // [-1, 1]
                    Tensor fake = generator.forward(z(noise, n));
                    Tensor ones = Tensor.ones(new int[] {n, 1}, real.dtype(), real.device());
                    Tensor zeros = Tensor.zeros(new int[] {n, 1}, real.dtype(), real.device());
                    optD.zeroGrad();
                    Tensor realLogits = discriminator.forward(real);
                    Tensor fakeLogits = discriminator.forward(fake.detach());                     // no gradient to G here
                    Tensor lossD = bce.forward(realLogits, ones).add(bce.forward(fakeLogits, zeros));
                    lossD.backward();
                    optD.step();
                    optG.zeroGrad();
                    Tensor lossG = bce.forward(discriminator.forward(fake), ones);                // non-saturating
                    lossG.backward();
                    optG.step();
                    double[] v = {lossD.item(), lossG.item(), realLogits.sigmoid().mean().item(),
                        fakeLogits.sigmoid().mean().item()};
                    for (int i = 0; i < 4; i++) {
                        sums[i] += v[i] * n;
                    }
                    seen += n;
                    progress.step(b, batches.count(), v[0], v[1]);
                    bar.step(n, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", sums[0] / seen,
                            sums[1] / seen, sums[2] / seen, sums[3] / seen);
                }
            }
        }
        optD.zeroGrad();
        optG.zeroGrad();
        return new double[] {sums[0] / seen, sums[1] / seen, sums[2] / seen, sums[3] / seen};
    }

    /** Noise (n, NOISE, 1, 1) on the run's device. */
    private Tensor z(Generator g, int n) {
        return Tensor.normal(g, 0, 1, new int[] {n, NOISE, 1, 1}, DType.FLOAT32, s.device());
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "loss D %.4f G %.4f | D(x) %.3f D(G(z)) %.3f", m[0], m[1], m[2], m[3]);
    }

    @Override
    public List<String> stepColumns() {
        return List.of("loss_d", "loss_g");
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        generator.eval();
        try (var noGrad = GradMode.noGrad(); MemoryScope scope = MemoryScope.open()) {
            Tensor images = generator.forward(z(new Generator(s.seed()), 60)).add(1).mul(0.5);  // the same noise every epoch
            ImageGrid.write(dir.resolve("samples.png"), images, 10);
        } finally {
            generator.train();
        }
        GanPlots.losses(dir.resolve("losses.png"), steps);
    }
}
