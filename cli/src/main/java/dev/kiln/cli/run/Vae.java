package dev.kiln.cli.run;

import dev.kiln.GradMode;
import dev.kiln.Generator;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.loss.BCEWithLogitsLoss;
import dev.kiln.nn.loss.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A variational auto-encoder on Fashion-MNIST (Kingma and Welling): pixels in [0, 1] as Bernoulli probabilities,
 * a 16-dimensional Gaussian latent drawn by reparameterisation (z = mean + exp(logvar / 2) eps), and the negative
 * ELBO = reconstruction (binary cross-entropy with logits, summed over pixels) + KL(q(z|x) || N(0, I)), both per image,
 * minimised with Adam (lr 1e-3). Pictures after each epoch: test images over their reconstructions, samples from the
 * prior, and walks through the latent space between test images. scripts/workloads/vae.py is its PyTorch twin.
 */
final class Vae extends OneModelWorkload {
    static final int LATENT = 16;
    static final List<String> FILES = List.of("reconstructions.png", "samples.png", "interpolation.png");
    private static final int PICTURE_COLUMNS = 10;

    private final RunSettings s;
    private final VaeModel model;
    private final Optimizer optimizer;
    private final LabeledImages train;
    private final LabeledImages test;
    private final BCEWithLogitsLoss bce = new BCEWithLogitsLoss(null, Reduction.SUM, null);

    Vae(RunSettings s) {
        this.s = s;
        model = new VaeModel(LATENT, new Generator(s.seed())).to(s.device());
        optimizer = Adam.adam(model.parameters(), 1e-3);
        checkpointed("vae", model, optimizer);
        train = FashionMnist.train(s.data()).limit(s.limitTrain());
        test = FashionMnist.test(s.data()).limit(s.limitTest());
    }

    @Override
    public String name() {
        return "vae";
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "reconstruction", "kl", "test_loss", "test_reconstruction", "test_kl");
    }

    @Override
    public double[] epoch(int epoch, RunProgress progress) {
        Batches batches = s.shuffled(train, epoch);
        Generator noise = new Generator(~s.epochSeed(epoch));
        double[] sums = new double[3];
        long seen = 0;
        model.train();
        try (EpochProgress bar = progress.bar(train.size())) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) { // parameters and Adam's state persist; the rest goes here
                    Batches.Batch batch = batches.get(b);
                    Tensor[] terms = elbo(pixels(batch.x()), noise);
                    terms[0].backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    double[] v = {terms[0].item(), terms[1].item(), terms[2].item()};
                    for (int i = 0; i < 3; i++) {
                        sums[i] += v[i] * batch.size();
                    }
                    seen += batch.size();
                    progress.step(b, batches.count(), v);
                    bar.step(batch.size(), "loss %.2f rec %.2f kl %.2f", sums[0] / seen,
                            sums[1] / seen, sums[2] / seen);
                }
            }
        }
        double[] t = testElbo();
        return new double[] {sums[0] / seen, sums[1] / seen, sums[2] / seen, t[0], t[1], t[2]};
    }

    /** {negative ELBO, reconstruction, KL}, each the batch's mean per image, for x (N, 1, 28, 28) in [0, 1]. */
    private Tensor[] elbo(Tensor x, Generator noise) {
        Tensor[] stats = model.encode(x);                                                     // mean, logvar (N, latent)
        Tensor mean = stats[0];
        Tensor logvar = stats[1];
        Tensor eps = Tensor.normal(noise, 0, 1, mean.shape(), mean.dtype(), mean.device());
        Tensor z = mean.add(logvar.mul(0.5).exp().mul(eps));                                 // reparameterisation
        double n = x.size(0);
        Tensor reconstruction = bce.forward(model.decode(z), x).div(n);
        Tensor kl = logvar.add(1).sub(mean.square()).sub(logvar.exp()).sum().mul(-0.5 / n);
        return new Tensor[] {reconstruction.add(kl), reconstruction, kl};
    }

    /** Normalised Fashion-MNIST pixels back on the [0, 1] scale, the Bernoulli targets. */
    private static Tensor pixels(Tensor normalised) {
        return normalised.mul(FashionMnist.STD).add(FashionMnist.MEAN).clamp(0, 1);
    }

    /** The test set's mean {negative ELBO, reconstruction, KL} per image, with a fixed noise stream. */
    private double[] testElbo() {
        double[] sums = new double[3];
        Generator noise = new Generator(s.seed() + 7);
        Batches batches = Batches.sequential(test, Math.max(s.batchSize(), 256), s.device());
        model.eval();
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < batches.count(); b++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batches.Batch batch = batches.get(b);
                    Tensor[] terms = elbo(pixels(batch.x()), noise);
                    for (int i = 0; i < 3; i++) {
                        sums[i] += terms[i].item() * batch.size();
                    }
                }
            }
        }
        return new double[] {sums[0] / test.size(), sums[1] / test.size(), sums[2] / test.size()};
    }

    @Override
    public String describe(double[] m) {
        return String.format(Locale.ROOT, "-ELBO %.2f (reconstruction %.2f + KL %.2f) | test -ELBO %.2f (%.2f + %.2f)", m[0],
                m[1], m[2], m[3], m[4], m[5]);
    }

    @Override
    public List<String> stepColumns() {
        return List.of("loss", "reconstruction", "kl");
    }

    @Override
    public List<String> files() {
        return FILES;
    }

    @Override
    public void write(Path dir, List<double[]> history, StepLog steps) throws IOException {
        int k = Math.min(PICTURE_COLUMNS, test.size());
        Tensor x = pixels(Batches.sequential(test, k, s.device()).get(0).x());               // (k, 1, 28, 28)
        try (var noGrad = GradMode.noGrad(); MemoryScope scope = MemoryScope.open()) {
            Tensor[] stats = model.encode(x);
            Tensor recon = model.decode(stats[0]).sigmoid();
            ImageGrid.write(dir.resolve("reconstructions.png"), Tensor.cat(new Tensor[] {x, recon}, 0), k);
            Tensor z = Tensor.normal(new Generator(s.seed()), 0, 1, new int[] {40, LATENT}, x.dtype(), x.device());
            ImageGrid.write(dir.resolve("samples.png"), model.decode(z).sigmoid(), PICTURE_COLUMNS);
            ImageGrid.write(dir.resolve("interpolation.png"), model.decode(walks(stats[0])).sigmoid(), PICTURE_COLUMNS);
        }
    }

    /** Rows of PICTURE_COLUMNS latent means evenly between test image i and i + 1 (for the first few pairs). */
    private static Tensor walks(Tensor means) {
        int pairs = Math.min(4, means.size(0) - 1);
        Tensor[] rows = new Tensor[Math.max(pairs, 1) * PICTURE_COLUMNS];
        for (int p = 0; p < Math.max(pairs, 1); p++) {
            Tensor a = means.narrow(0, p, 1);
            Tensor b = means.narrow(0, Math.min(p + 1, means.size(0) - 1), 1);
            for (int i = 0; i < PICTURE_COLUMNS; i++) {
                double t = i / (PICTURE_COLUMNS - 1.0);
                rows[p * PICTURE_COLUMNS + i] = a.mul(1 - t).add(b.mul(t));
            }
        }
        return Tensor.cat(rows, 0);                                                            // (rows, latent)
    }
}
