package dev.kiln.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One epoch's progress bar (images done, the caller's running figures, images/s, ETA) on stderr; silent when off. */
public final class EpochProgress implements AutoCloseable {
    private final ProgressBar bar;

    public EpochProgress(String task, int total, boolean enabled) {
        bar = enabled ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" img", 1).setUpdateIntervalMillis(250).showSpeed().build() : null;
    }

    /** images more are done; figures (e.g. "loss 0.412 acc 85.1%") follow the bar. */
    public void step(int images, String figures) {
        if (bar != null) {
            bar.stepBy(images);
            bar.setExtraMessage(" | " + figures);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
