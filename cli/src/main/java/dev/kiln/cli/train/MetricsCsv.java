package dev.kiln.cli.train;

import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** metrics.csv: one row per epoch; replaced whole (atomically) after each epoch's checkpoint. */
public final class MetricsCsv {
    public static final String FILE_NAME = "metrics.csv";
    static final String HEADER = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds";

    private MetricsCsv() {
    }

    public static void write(Path file, List<EpochMetrics> rows) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochMetrics m : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f%n", m.epoch(), m.trainLoss(),
                    m.trainAccuracy(), m.testLoss(), m.testAccuracy(), m.seconds()));
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * For a checkpoint older than the metrics it now holds: the file's rows of epochs 1..lastEpoch,
     * one per epoch; a row that does not parse (a file cut short by a kill) is left out, with a warning.
     */
    public static List<EpochMetrics> read(Path file, int lastEpoch, PrintStream warnings) {
        List<EpochMetrics> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            warnings.println("warning: " + file + " cannot be read (" + e + "); earlier epochs' metrics are lost");
            return rows;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            EpochMetrics m = parse(line);
            if (m == null) {
                warnings.println("warning: " + file + ": left out the unreadable row '" + line + "'");
            } else if (m.epoch() <= lastEpoch && (rows.isEmpty() || m.epoch() > rows.get(rows.size() - 1).epoch())) {
                rows.add(m);
            }
        }
        return rows;
    }

    private static EpochMetrics parse(String line) {
        String[] f = line.split(",", -1);
        if (f.length != 6) {
            return null;
        }
        try {
            return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
