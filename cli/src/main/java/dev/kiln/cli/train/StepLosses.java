package dev.kiln.cli.train;

import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * steps.csv: every optimisation step's mean batch loss at its fractional epoch (epoch 1's first of 100
 * steps is 0.01), so the curves show the training loss between epochs too; replaced whole (atomically)
 * after each epoch, like metrics.csv.
 */
final class StepLosses {
    static final String FILE_NAME = "steps.csv";
    private static final String HEADER = "epoch,loss";

    record Step(double epoch, double loss) {
    }

    private StepLosses() {
    }

    static void write(Path file, List<Step> steps) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Step s : steps) {
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f%n", s.epoch(), s.loss()));
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The steps of epochs 1..lastEpoch from a resumed run's file; none when it is absent or unreadable (the plot only loses points). */
    static List<Step> read(Path file, int lastEpoch) {
        List<Step> steps = new ArrayList<>();
        try {
            if (!Files.isRegularFile(file)) {
                return steps;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.split(",", -1);
                if (f.length == 2) {
                    Step s = new Step(Double.parseDouble(f[0]), Double.parseDouble(f[1]));
                    if (s.epoch() <= lastEpoch) {
                        steps.add(s);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            steps.clear();
        }
        return steps;
    }
}
