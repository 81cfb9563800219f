package dev.kiln.cli.run;

import dev.kiln.cli.Devices;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.train.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every `kiln run` workload takes, checked into {@link RunSettings} before any work. */
public final class RunOptions {
    @Option(names = "--device", defaultValue = "auto", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--epochs", description = "total epochs, those of a resumed run included (default: the workload's)")
    Integer epochs;
    @Option(names = "--batch-size", description = "default: the workload's")
    Integer batchSize;
    @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
    long seed;
    @Option(names = "--data", description = "the dataset's directory (default: the workload's, e.g. /usr/share/datasets/fashion-mnist)")
    Path data;
    @Option(names = "--out", description = "run directory (default: runs/<workload>-<timestamp>, or the resumed run's);"
            + " one holding another run is refused")
    Path out;
    @Option(names = "--resume", description = "a checkpoint file, or a run directory holding " + WorkloadCheckpoint.FILE_NAME)
    Path resume;
    @Option(names = "--limit-train", defaultValue = "0", description = "use only the first N training examples (0: all)")
    int limitTrain;
    @Option(names = "--limit-test", defaultValue = "0", description = "use only the first N test examples (0: all)")
    int limitTest;
    @Option(names = "--no-progress", description = "no progress bar (one line per epoch only)")
    boolean noProgress;

    /** The settings of a run of workload name (its defaults given), or a UserError naming what is wrong. */
    RunSettings settings(String name, int defaultEpochs, int defaultBatchSize, List<String> files) {
        int e = epochs != null ? epochs : defaultEpochs;
        int b = batchSize != null ? batchSize : defaultBatchSize;
        if (e < 1 || b < 1) {
            throw new UserError("--epochs and --batch-size must be >= 1, got " + e + " and " + b);
        }
        if (limitTrain < 0 || limitTest < 0) {
            throw new UserError("--limit-train and --limit-test must be >= 0 (0: all), got " + limitTrain + " and " + limitTest);
        }
        Path checkpoint = null;
        if (resume != null) {
            checkpoint = Files.isDirectory(resume) ? resume.resolve(WorkloadCheckpoint.FILE_NAME) : resume;
            int done = WorkloadCheckpoint.finishedEpochs(checkpoint, name);
            if (e <= done) {
                throw new UserError("--epochs " + e + ": " + checkpoint + " has already finished " + done
                        + " epochs; --epochs counts them all, so ask for more than " + done);
            }
        }
        Path dir = out != null ? out : checkpoint != null ? checkpoint.toAbsolutePath().getParent()
                : Path.of("runs", name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        RunDirectory.check(dir, checkpoint, WorkloadRunner.files(files));
        return new RunSettings(Devices.resolve(device), e, b, seed, data != null ? data : FashionMnist.DEFAULT_DIR,
                limitTrain, limitTest, dir, checkpoint, !noProgress);
    }
}
