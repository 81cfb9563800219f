package dev.kiln.cli.run;

import dev.kiln.cli.EpochProgress;

/** What a workload's epoch reports as it goes: a progress bar over its training examples, and each step's figures. */
public final class RunProgress {
    private final String task;
    private final boolean enabled;
    private final int epoch;
    private final StepLog steps;

    RunProgress(String task, boolean enabled, int epoch, StepLog steps) {
        this.task = task;
        this.enabled = enabled;
        this.epoch = epoch;
        this.steps = steps;
    }

    /** A bar over total examples (closed by the caller at the epoch's end). */
    public EpochProgress bar(int total) {
        return new EpochProgress(task, total, enabled);
    }

    /** Step {@code index} of the epoch's {@code count} took these figures (the workload's step columns). */
    public void step(int index, int count, double... figures) {
        steps.add(epoch - 1 + (index + 1.0) / count, figures);
    }
}
