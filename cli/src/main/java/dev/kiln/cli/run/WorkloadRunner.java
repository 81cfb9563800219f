package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import dev.kiln.cli.train.RunDirectory;
import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs a workload's epochs, printing one line after each. The checkpoint (first: it is the run's truth), metrics.csv,
 * steps.csv and the workload's own files are replaced atomically after the last epoch and after any epoch that ends
 * {@link #SAVE_INTERVAL_NANOS} or more after the previous save: every epoch for the usual minutes-long epochs, every
 * ~100th for a graph network's 25 ms full-batch steps, whose epochs would otherwise mostly write files. --resume
 * continues from a checkpoint; epochs after it are run again exactly (each epoch draws from its own seed).
 */
public final class WorkloadRunner {
    static final String METRICS_FILE = "metrics.csv";
    /** The longest a run goes without saving, while epochs keep ending (as Lightning's train_time_interval). */
    static final long SAVE_INTERVAL_NANOS = 5_000_000_000L;

    private WorkloadRunner() {
    }

    /** The files of a run of w: checkpoint, metrics.csv, steps.csv, then the workload's. */
    static List<String> files(List<String> workloadFiles) {
        List<String> all = new ArrayList<>(List.of(WorkloadCheckpoint.FILE_NAME, METRICS_FILE, StepLog.FILE_NAME));
        all.addAll(workloadFiles);
        return all;
    }

    /** Runs w as s says; returns every epoch's row (w's metrics, then seconds). */
    public static List<double[]> run(Workload w, RunSettings s, PrintStream out) {
        Path dir = s.outDir();
        RunDirectory.prepare(dir, files(w.files()));
        List<double[]> history = new ArrayList<>();
        StepLog steps = new StepLog(w.stepColumns());
        int start = 0;
        if (s.resume() != null) {
            WorkloadCheckpoint.Restored r = WorkloadCheckpoint.restore(s.resume(), w);
            start = r.epoch();
            history.addAll(r.history());
            try {
                steps.read(s.resume().toAbsolutePath().getParent().resolve(StepLog.FILE_NAME), start);
            } catch (IOException e) {
                throw new UserError(s.resume() + ": cannot read the run's files (" + e + ")", e);
            }
            out.printf("resumed %s after epoch %d%n", s.resume(), start);
        }
        out.printf(Locale.ROOT, "%s on %s: %d epochs, batch %d, seed %d; writing %s%n", w.name(), s.device(), s.epochs(),
                s.batchSize(), s.seed(), dir);
        try {
            long saved = System.nanoTime();
            for (int epoch = start + 1; epoch <= s.epochs(); epoch++) {
                long t0 = System.nanoTime();
                double[] m = w.epoch(epoch, new RunProgress("epoch " + epoch + "/" + s.epochs(), s.progress(), epoch, steps));
                long t1 = System.nanoTime();
                double seconds = (t1 - t0) / 1e9;
                double[] row = Arrays.copyOf(m, m.length + 1);
                row[m.length] = seconds;
                history.add(row);
                if (epoch == s.epochs() || t1 - saved >= SAVE_INTERVAL_NANOS) {
                    WorkloadCheckpoint.save(dir.resolve(WorkloadCheckpoint.FILE_NAME), w, epoch, history);
                    writeMetrics(dir.resolve(METRICS_FILE), w.metricNames(), history);
                    steps.write(dir.resolve(StepLog.FILE_NAME));
                    w.write(dir, history, steps);
                    saved = System.nanoTime();
                }
                out.printf(Locale.ROOT, "epoch %d/%d: %s | %.1f s%n", epoch, s.epochs(), w.describe(m), seconds);
            }
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write the run's files (" + e + ")", e);
        }
        return history;
    }

    /** metrics.csv: epoch, the workload's metrics, seconds; one row per finished epoch. */
    static void writeMetrics(Path file, List<String> names, List<double[]> history) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,").append(String.join(",", names)).append(",seconds\n");
        for (int i = 0; i < history.size(); i++) {
            sb.append(i + 1);
            for (double v : history.get(i)) {
                sb.append(',').append(String.format(Locale.ROOT, "%.6g", v));
            }
            sb.append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
