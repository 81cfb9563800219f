package dev.kiln.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Option;

/** The options of a command that trains into a run directory (kiln train, kiln run): device, seed, data, where, resume. */
public final class RunDirectoryOptions {
    @Option(names = "--seed", defaultValue = "42", description = "default: ${DEFAULT-VALUE}")
    public long seed;
    @Option(names = "--device", defaultValue = "auto", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    public String device;
    @Option(names = "--data", description = "the data's directory (default: /usr/share/datasets/fashion-mnist, the IDX gz"
            + " files; kiln run charlm: /usr/share/games/fortunes)")
    public Path data;
    @Option(names = "--out", description = "run directory (default: runs/[<workload>-]<timestamp>, or the resumed checkpoint's"
            + " directory); one holding another run is refused")
    public Path out;
    @Option(names = "--resume", description = "a checkpoint file, or a run directory holding checkpoint.safetensors")
    public Path resume;
    @Option(names = "--limit-train", defaultValue = "0", description = "use only the first N training examples (0: all)")
    public int limitTrain;
    @Option(names = "--limit-test", defaultValue = "0", description = "use only the first N test examples (0: all)")
    public int limitTest;
    @Option(names = "--no-progress", description = "no progress bar (one line per epoch only)")
    public boolean noProgress;

    /** The checkpoint --resume names (a file, or fileName in a directory), or null without --resume. */
    public Path checkpoint(String fileName) {
        if (resume == null) {
            return null;
        }
        Path file = Files.isDirectory(resume) ? resume.resolve(fileName) : resume;
        if (!Files.isRegularFile(file)) {
            throw new UserError("--resume " + resume + ": no checkpoint there (give a checkpoint file, or a run directory"
                    + " holding " + fileName + ")");
        }
        return file;
    }

    /** --out, else the resumed checkpoint's directory, else runs/{prefix}{timestamp}. */
    public Path outDir(Path checkpoint, String prefix) {
        return out != null ? out : checkpoint != null ? checkpoint.toAbsolutePath().getParent()
                : Path.of("runs", prefix + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    public void checkLimits() {
        if (limitTrain < 0 || limitTest < 0) {
            throw new UserError("--limit-train and --limit-test must be >= 0 (0: all), got " + limitTrain + " and " + limitTest);
        }
    }
}
