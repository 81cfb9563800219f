package dev.kiln.cli.train;

import dev.kiln.Autocast;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cli.EpochProgress;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.Layer;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The training loop of `kiln train`: epochs of shuffled mini-batches, a test evaluation, and the run's files after each. */
public final class Trainer {
    private final TrainConfig cfg;
    private final PrintStream out;

    public Trainer(TrainConfig cfg, PrintStream out) {
        this.cfg = cfg;
        this.out = out;
    }

    /** Trains; distributed, every rank runs this, and a failure on one rank ends them all. */
    public List<EpochMetrics> run() throws IOException {
        DistributedRun dist = DistributedRun.start(cfg);
        try {
            return run(dist, dist.writes() ? out : new PrintStream(OutputStream.nullOutputStream()));
        } catch (RuntimeException e) {
            dist.fail(e);
            throw e;
        } catch (IOException e) {
            if (dist.size() > 1) { // rank 0's files: it says so and ends the job, rather than leave the others waiting
                dist.fail(new UserError(cfg.outDir() + ": cannot write the run's files (" + e + ")", e));
            }
            throw e;
        } finally {
            dist.close();
        }
    }

    private List<EpochMetrics> run(DistributedRun dist, PrintStream out) throws IOException {
        boolean writes = dist.writes();
        Generator g = new Generator(cfg.seed());
        Layer model = Models.create(cfg.model(), g);
        model.to(cfg.device());
        Optimizer opt = Optimizers.create(cfg.optimizer(), model.parameters(), cfg.lr());
        LabeledImages train = FashionMnist.train(cfg.dataDir()).limit(cfg.limitTrain());
        LabeledImages test = FashionMnist.test(cfg.dataDir()).limit(cfg.limitTest());
        if (writes) {
            RunDirectory.prepare(cfg.outDir());
        }
        Path checkpoint = cfg.outDir().resolve(RunCheckpoint.FILE_NAME);
        List<EpochMetrics> history = new ArrayList<>();
        List<StepLosses.Step> steps = new ArrayList<>();
        int start = 0;
        if (cfg.resume() != null) {
            Map<String, Tensor> saved = RunCheckpoint.loadModel(cfg.resume(), model);
            RunCheckpoint.restoreOptimizer(cfg.resume(), saved, opt);
            opt.setLr(cfg.lr()); // --lr, or the checkpoint's own when none was given
            start = RunCheckpoint.epoch(saved);
            history.addAll(resumedHistory(saved, start, out));
            steps.addAll(StepLosses.read(cfg.resume().toAbsolutePath().getParent().resolve(StepLosses.FILE_NAME), start));
            if (writes) {
                writeReports(history, steps); // metrics.csv and the curves agree with the checkpoint from the start
            }
            out.printf("resumed %s after epoch %d%n", cfg.resume(), start);
        }
        Layer net = dist.wrap(model, cfg.syncBatchNorm()); // after resuming: rank 0's state goes to every rank
        out.printf(Locale.ROOT, "training %s on %s: %d train / %d test images, %d epochs, batch %d%s, %s lr %g, seed %d%s%n",
                cfg.model(), cfg.device(), train.size(), test.size(), cfg.epochs(), cfg.batchSize(),
                dist.size() > 1 ? " per rank" : "", cfg.optimizer(), opt.lr(), cfg.seed(),
                cfg.precision().equals(Precision.DEFAULT) ? "" : ", precision " + cfg.precision());
        out.printf("writing %s%s%n", cfg.outDir(), dist.describe());
        DType autocast = Precision.autocast(cfg.precision());
        TrainStep step = new TrainStep(net, opt, autocast);
        long t0 = System.nanoTime();
        for (int epoch = start + 1; epoch <= cfg.epochs(); epoch++) {
            long e0 = System.nanoTime();
            // the epoch's own stream, so a resumed run shuffles exactly as an uninterrupted one
            Batches batches = dist.epochBatches(train, cfg.batchSize(), cfg.device(), cfg.seed(), epoch);
            net.train();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            int shown = (int) Math.min(train.size(), (long) batches.count() * cfg.batchSize()); // this rank's share
            try (EpochProgress bar = new EpochProgress("epoch " + epoch + "/" + cfg.epochs(), shown, cfg.progress() && writes)) {
                for (int b = 0; b < batches.count(); b++) {
                    TrainStep.Result r = step.run(batches, b);
                    lossSum += r.lossSum();
                    correct += r.correct();
                    seen += r.size();
                    bar.step(r.size(), "loss %.3f acc %.1f%%", lossSum / seen, 100.0 * correct / seen);
                    steps.add(new StepLosses.Step(epoch - 1 + (b + 1.0) / batches.count(), r.lossSum() / r.size()));
                }
            }
            double[] sums = dist.sum(lossSum, correct, seen); // the epoch over every rank
            Evaluation ev;
            try (Autocast scope = Precision.scope(autocast)) {
                ev = dist.evaluate(model, test, Math.max(cfg.batchSize(), 256), cfg.device(), FashionMnist.CLASSES.size());
            }
            double seconds = (System.nanoTime() - e0) / 1e9;
            EpochMetrics m = new EpochMetrics(epoch, sums[0] / sums[2], sums[1] / sums[2], ev.loss(), ev.accuracy(), seconds);
            history.add(m);
            if (writes) { // the unwrapped model: the checkpoint loads in one process
                RunCheckpoint.save(checkpoint, model, opt, cfg.optimizer(), epoch, history); // first: it is the run's truth
                writeReports(history, steps);
            }
            out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | %.1f s%n", epoch,
                    cfg.epochs(), m.trainLoss(), 100 * m.trainAccuracy(), m.testLoss(), 100 * m.testAccuracy(), seconds);
        }
        double total = (System.nanoTime() - t0) / 1e9;
        EpochMetrics last = history.get(history.size() - 1);
        out.printf(Locale.ROOT, "done: test accuracy %.2f%% after %d epochs in %.1f s (%s)%n", 100 * last.testAccuracy(),
                last.epoch(), total, formatDuration(total));
        return history;
    }

    /** The resumed checkpoint's metrics; a checkpoint older than them has its run's metrics.csv read up to its epoch. */
    private List<EpochMetrics> resumedHistory(Map<String, Tensor> saved, int epoch, PrintStream out) {
        List<EpochMetrics> kept = RunCheckpoint.history(saved);
        return kept != null ? kept
                : MetricsCsv.read(cfg.resume().toAbsolutePath().getParent().resolve(MetricsCsv.FILE_NAME), epoch, out);
    }

    private void writeReports(List<EpochMetrics> history, List<StepLosses.Step> steps) throws IOException {
        MetricsCsv.write(cfg.outDir().resolve(MetricsCsv.FILE_NAME), history);
        StepLosses.write(cfg.outDir().resolve(StepLosses.FILE_NAME), steps);
        if (!history.isEmpty()) {
            Plots.curves(cfg.outDir().resolve(Plots.CURVES_FILE), history, steps);
        }
    }

    static String formatDuration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
    }
}
