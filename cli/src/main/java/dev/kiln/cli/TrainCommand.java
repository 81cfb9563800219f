package dev.kiln.cli;

import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.cli.train.TrainConfig;
import dev.kiln.cli.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kiln train`: the defaults reach >= 90% test accuracy on Fashion-MNIST in a few CPU epochs. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on Fashion-MNIST.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "cnn", description = "mlp, lenet, cnn, resnet-small (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--epochs", defaultValue = "3", description = "total epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int batchSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "learning rate (default: ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw, sgd (default: ${DEFAULT-VALUE})")
    String optimizer;
    @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
    long seed;
    @Option(names = "--device", defaultValue = "auto", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--data", description = "directory with the Fashion-MNIST IDX gz files (default: /usr/share/datasets/fashion-mnist)")
    Path data = FashionMnist.DEFAULT_DIR;
    @Option(names = "--out", description = "run directory (default: runs/<timestamp>, or the resumed checkpoint's directory)")
    Path out;
    @Option(names = "--resume", description = "a checkpoint file, or a run directory holding " + RunCheckpoint.FILE_NAME)
    Path resume;
    @Option(names = "--limit-train", defaultValue = "0", description = "use only the first N training images (0: all)")
    int limitTrain;
    @Option(names = "--limit-test", defaultValue = "0", description = "use only the first N test images (0: all)")
    int limitTest;
    @Option(names = "--no-progress", description = "no progress bar (one line per epoch only)")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || batchSize < 1 || !(lr > 0)) {
            throw new UserError("--epochs and --batch-size must be >= 1 and --lr > 0");
        }
        Path checkpoint = resume == null ? null : Files.isDirectory(resume) ? resume.resolve(RunCheckpoint.FILE_NAME) : resume;
        Path dir = out != null ? out : checkpoint != null ? checkpoint.toAbsolutePath().getParent()
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainConfig cfg = new TrainConfig(model, epochs, batchSize, lr, optimizer, seed, Devices.resolve(device), data, dir,
                checkpoint, limitTrain, limitTest, !noProgress);
        new Trainer(cfg, System.out).run();
        return 0;
    }
}
