package dev.kiln.cli.train;

import dev.kiln.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** metrics.csv: one row per epoch; rewritten whole after each epoch and read back on --resume. */
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
        Files.writeString(file, sb);
    }

    public static List<EpochMetrics> read(Path file) {
        List<EpochMetrics> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.split(",");
                rows.add(new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
            }
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": cannot read the metrics of the run being resumed (" + e.getMessage() + ")", e);
        }
        return rows;
    }
}
