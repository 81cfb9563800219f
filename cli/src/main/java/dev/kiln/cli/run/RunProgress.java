package dev.kiln.cli.run;

import dev.kiln.cli.EpochProgress;

/** What a workload's epoch reports as it goes: a progress bar over its training examples. */
public final class RunProgress {
    private final String task;
    private final boolean enabled;

    RunProgress(String task, boolean enabled) {
        this.task = task;
        this.enabled = enabled;
    }

    /** A bar over total examples (closed by the caller at the epoch's end). */
    public EpochProgress bar(int total) {
        return new EpochProgress(task, total, enabled);
    }
}
