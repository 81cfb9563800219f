package dev.kiln.cli.train;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One epoch's progress bar (images done, running loss and accuracy, images/s, ETA) on stderr; silent when off. */
final class EpochProgress implements AutoCloseable {
    private final ProgressBar bar;

    EpochProgress(String task, int total, boolean enabled) {
        bar = enabled ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" img", 1).setUpdateIntervalMillis(250).showSpeed().build() : null;
    }

    void step(int images, double loss, double accuracy) {
        if (bar != null) {
            bar.stepBy(images);
            bar.setExtraMessage(String.format(Locale.ROOT, " | loss %.3f acc %.1f%%", loss, 100 * accuracy));
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
