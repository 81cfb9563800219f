package dev.kiln.cli.run;

import dev.kiln.cli.Devices;
import dev.kiln.cli.RunDirectoryOptions;
import dev.kiln.cli.UserError;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.train.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every `kiln run` workload takes, checked into {@link RunSettings} before any work. */
public final class RunOptions {
    @Mixin
    RunDirectoryOptions run;
    @Option(names = "--epochs", description = "total epochs, those of a resumed run included (default: the workload's)")
    Integer epochs;
    @Option(names = "--batch-size", description = "default: the workload's")
    Integer batchSize;

    /** The settings of a Fashion-MNIST workload's run. */
    RunSettings settings(String name, int defaultEpochs, int defaultBatchSize, List<String> files) {
        return settings(name, defaultEpochs, defaultBatchSize, files, FashionMnist.DEFAULT_DIR);
    }

    /** The settings of a run of workload name (its defaults given), or a UserError naming what is wrong. */
    RunSettings settings(String name, int defaultEpochs, int defaultBatchSize, List<String> files, Path defaultData) {
        int e = epochs != null ? epochs : defaultEpochs;
        int b = batchSize != null ? batchSize : defaultBatchSize;
        if (e < 1 || b < 1) {
            throw new UserError("--epochs and --batch-size must be >= 1, got " + e + " and " + b);
        }
        run.checkLimits();
        Path checkpoint = run.checkpoint(WorkloadCheckpoint.FILE_NAME);
        if (checkpoint != null) {
            int done = WorkloadCheckpoint.finishedEpochs(checkpoint, name);
            if (e <= done) {
                throw new UserError("--epochs " + e + ": " + checkpoint + " has already finished " + done
                        + " epochs; --epochs counts them all, so ask for more than " + done);
            }
        }
        Path dir = run.outDir(checkpoint, name + "-");
        RunDirectory.check(dir, checkpoint, WorkloadRunner.files(files));
        Path data = run.data != null ? run.data : defaultData;
        return new RunSettings(Devices.resolve(run.device), e, b, run.seed, data, run.limitTrain, run.limitTest, dir, checkpoint,
                !run.noProgress);
    }
}
