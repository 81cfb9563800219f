package dev.kiln.cli;

import java.util.Locale;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** One epoch's progress bar (images done, the caller's running figures, images/s, ETA) on stderr; silent when off. */
public final class EpochProgress implements AutoCloseable {
    /** The bar redraws every 250 ms: figures formatted more often would never be seen. */
    private static final long FIGURES_EVERY_NANOS = 100_000_000L;
    private final ProgressBar bar;
    private long figuresAt = System.nanoTime() - FIGURES_EVERY_NANOS;
    private String format;
    private Object[] args;

    public EpochProgress(String task, int total, boolean enabled) {
        bar = enabled ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" img", 1).setUpdateIntervalMillis(250).showSpeed().build() : null;
    }

    /**
     * images more are done; the figures (String.format's format and args in Locale.ROOT, e.g. "loss %.3f") follow the
     * bar. They are formatted only while the bar is shown, at most every 100 ms and at the end: a format per step cost
     * a small model's first epoch the JIT's compilation of the formatter and its regular expressions.
     */
    public void step(int images, String format, Object... args) {
        if (bar != null) {
            bar.stepBy(images);
            this.format = format;
            this.args = args;
            long now = System.nanoTime();
            if (now - figuresAt >= FIGURES_EVERY_NANOS) {
                figuresAt = now;
                showFigures();
            }
        }
    }

    private void showFigures() {
        bar.setExtraMessage(" | " + String.format(Locale.ROOT, format, args));
    }

    @Override
    public void close() {
        if (bar != null) {
            if (format != null) {
                showFigures(); // the last step's figures, whenever the last redraw was
            }
            bar.close();
        }
    }
}
