package dev.kiln.cli;

import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.train.Models;
import dev.kiln.cli.train.Precision;
import dev.kiln.cli.train.Optimizers;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.cli.train.RunDirectory;
import dev.kiln.cli.train.TrainConfig;
import dev.kiln.cli.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kiln train`: the defaults reach >= 90% test accuracy on Fashion-MNIST in a few CPU epochs. Every
 * argument is checked before any work, and nothing is created when one is wrong.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on Fashion-MNIST.")
final class TrainCommand implements Callable<Integer> {
    static final String DEFAULT_MODEL = "cnn";
    static final String DEFAULT_OPTIMIZER = "adam";
    static final double DEFAULT_LR = 1e-3;

    // no picocli default for --model, --lr and --optimizer: on --resume, leaving one out means "as the checkpoint was trained"
    @Option(names = "--model", description = "mlp, lenet, cnn, resnet-small (default: cnn; on --resume, the checkpoint's)")
    String model;
    @Option(names = "--epochs", defaultValue = "3",
            description = "total epochs, those of a resumed run included (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int batchSize;
    @Option(names = "--lr", description = "learning rate (default: 1e-3; on --resume, the checkpoint's)")
    Double lr;
    @Option(names = "--optimizer", description = "adam, adamw, sgd (default: adam; on --resume, the checkpoint's)")
    String optimizer;
    @Mixin
    RunDirectoryOptions run;
    @Option(names = "--distributed", description = "data-parallel over the processes of an MPI job: mpirun -np N ./kiln train"
            + " --distributed (--batch-size is then each rank's; rank 0 writes the run)")
    boolean distributed;
    @Option(names = "--sync-bn", description = "with --distributed: batch norms use the statistics of every rank's batch")
    boolean syncBatchNorm;
    @Option(names = "--precision", defaultValue = Precision.DEFAULT, description = "fp32, or bf16 / fp16: mixed precision"
            + " (float32 parameters, convolutions and linear layers in bfloat16 / float16, the loss in float32; fp16 with"
            + " dynamic loss scaling), as PyTorch's autocast (default: ${DEFAULT-VALUE})")
    String precision;

    @Override
    public Integer call() {
        checkNumbers();
        Path checkpoint = run.checkpoint(RunCheckpoint.FILE_NAME);
        RunCheckpoint.Summary resumed = null;
        if (checkpoint != null) {
            resumed = RunCheckpoint.summary(checkpoint);
            if (epochs <= resumed.epoch()) {
                throw new UserError("--epochs " + epochs + ": " + checkpoint + " has already finished " + resumed.epoch()
                        + " epochs; --epochs counts them all, so ask for more than " + resumed.epoch());
            }
        }
        String net = model(resumed, checkpoint);
        String opt = optimizer(resumed, checkpoint);
        double rate = lr != null ? lr : resumed != null ? resumed.lr() : DEFAULT_LR;
        if (resumed != null && lr != null && lr != resumed.lr()) {
            System.out.printf(Locale.ROOT, "--lr %g replaces the checkpoint's lr %g%n", lr, resumed.lr());
        }
        Path dir = run.outDir(checkpoint, "");
        RunDirectory.check(dir, checkpoint);
        TrainConfig cfg = new TrainConfig(net, epochs, batchSize, rate, opt, run.seed, Devices.resolve(run.device),
                run.data != null ? run.data : FashionMnist.DEFAULT_DIR, dir,
                checkpoint, run.limitTrain, run.limitTest, !run.noProgress, distributed, syncBatchNorm, precision);
        try {
            new Trainer(cfg, System.out).run();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write the run's files (" + e + ")", e);
        }
        return 0;
    }

    private void checkNumbers() {
        if (epochs < 1) {
            throw new UserError("--epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new UserError("--batch-size must be >= 1, got " + batchSize);
        }
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
            throw new UserError("--lr must be a finite number > 0, got " + lr);
        }
        if (syncBatchNorm && !distributed) {
            throw new UserError("--sync-bn synchronises batch norms across the ranks of --distributed training; add --distributed");
        }
        run.checkLimits();
        Precision.autocast(precision);
    }

    /** --model, else the checkpoint's, else the default; a resumed run's weights fit no other model. */
    private String model(RunCheckpoint.Summary resumed, Path checkpoint) {
        if (model == null) {
            return resumed != null ? resumed.model() : DEFAULT_MODEL;
        }
        Models.check(model);
        if (resumed != null && !model.equals(resumed.model())) {
            throw new UserError("--model " + model + ": " + checkpoint + " holds a " + resumed.model() + "; leave out --model to"
                    + " continue it, or start a new run");
        }
        return model;
    }

    /** --optimizer, else the checkpoint's, else the default; a resumed run's state cannot continue another optimizer. */
    private String optimizer(RunCheckpoint.Summary resumed, Path checkpoint) {
        if (optimizer != null) {
            Optimizers.check(optimizer);
        }
        String saved = resumed == null ? null : resumed.optimizer();
        if (saved != null && optimizer != null && !optimizer.equals(saved)) {
            throw new UserError("--optimizer " + optimizer + ": " + checkpoint + " was trained with " + saved
                    + ", whose state cannot continue another optimizer; leave out --optimizer to continue with " + saved
                    + ", or start a new run");
        }
        return optimizer != null ? optimizer : saved != null ? saved : DEFAULT_OPTIMIZER;
    }
}
