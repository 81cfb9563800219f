package dev.kiln.cli.run;

import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A workload of `kiln run`: its models and optimizers, one epoch of training and evaluation, and the pictures it
 * draws. The runner ({@link WorkloadRunner}) owns the rest: the run directory, the progress bar, metrics.csv, steps.csv,
 * the atomic checkpoint and --resume.
 */
public interface Workload {
    /** The name `kiln run` knows it by, which the checkpoint records. */
    String name();

    /** An epoch's metrics, in the order {@link #epoch} returns them: metrics.csv's columns after "epoch". */
    List<String> metricNames();

    /** The modules the checkpoint holds, by name (a key prefix in it); their state is restored on --resume. */
    Map<String, Module> modules();

    /** The optimizers the checkpoint holds, by name. */
    Map<String, Optimizer> optimizers();

    /** Trains epoch {@code epoch} (1-based) and evaluates; the values of {@link #metricNames}. */
    double[] epoch(int epoch, RunProgress progress);

    /** One line for the console after an epoch, from its metrics. */
    String describe(double[] metrics);

    /** The figures of each step, in the order {@link RunProgress#step} takes them: steps.csv's columns; by default the loss. */
    default List<String> stepColumns() {
        return List.of("loss");
    }

    /** The files besides checkpoint, metrics.csv and steps.csv it writes in the run directory, each replaced atomically. */
    List<String> files();

    /**
     * Writes those files after an epoch; history holds every finished epoch's metrics (the last is this one's), steps
     * every step's figures so far (those of a resumed run's earlier epochs included).
     */
    void write(Path dir, List<double[]> history, StepLog steps) throws IOException;
}
