package dev.kiln.cli.train;

import dev.kiln.cli.OutputPaths;
import dev.kiln.cli.UserError;
import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The directory of a run: the files kiln train (or a kiln run workload) keeps there, whether --out may be used, its creation. */
public final class RunDirectory {
    /** Each is replaced whole (atomically) after every epoch, the checkpoint first. */
    static final List<String> FILES = List.of(RunCheckpoint.FILE_NAME, MetricsCsv.FILE_NAME, StepLosses.FILE_NAME,
            Plots.CURVES_FILE);

    private RunDirectory() {
    }

    /**
     * Before any work: dir can be written, and holds no run but the one resumed (checkpoint, or null
     * for a new run), so another run's files are never overwritten.
     */
    public static void check(Path dir, Path checkpoint) {
        check(dir, checkpoint, FILES);
    }

    /** As {@link #check(Path, Path)} for a run that keeps {@code files} (kiln run's workloads). */
    public static void check(Path dir, Path checkpoint, List<String> files) {
        OutputPaths.checkDirectory(dir, "--out");
        for (String name : files) {
            Path f = dir.resolve(name);
            if (Files.exists(f) && !sameRun(dir, checkpoint)) {
                throw new UserError("--out " + dir + " already holds a run (" + name + "); continue it with --resume " + dir
                        + ", or choose another --out");
            }
        }
    }

    private static boolean sameRun(Path dir, Path checkpoint) {
        try {
            return checkpoint != null && Files.isSameFile(dir.toAbsolutePath(), checkpoint.toAbsolutePath().getParent());
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates dir (and its parents) and deletes the temp files a killed run left in it. */
    static void prepare(Path dir) {
        prepare(dir, FILES);
    }

    /** As {@link #prepare(Path)} for a run that keeps {@code files}. */
    public static void prepare(Path dir, List<String> files) {
        try {
            Files.createDirectories(dir);
            for (String name : files) {
                AtomicFile.deleteStale(dir.resolve(name));
            }
        } catch (IOException e) {
            throw new UserError("--out " + dir + ": cannot create the run directory (" + e + ")", e);
        }
    }
}
