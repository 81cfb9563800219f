package dev.kiln.cli.run;

import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * steps.csv of a workload: one row per optimisation step, its fractional epoch (epoch 1's first of 100 steps is
 * 0.01) then the workload's per-step figures; replaced whole (atomically) after each epoch, read back on --resume.
 */
public final class StepLog {
    public static final String FILE_NAME = "steps.csv";
    private final List<String> columns;
    private final List<double[]> rows = new ArrayList<>();

    public StepLog(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    /** A step at fractional epoch {@code epoch} with one value per column. */
    public void add(double epoch, double... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("StepLog.add: " + values.length + " values for columns " + columns);
        }
        double[] row = new double[values.length + 1];
        row[0] = epoch;
        System.arraycopy(values, 0, row, 1, values.length);
        rows.add(row);
    }

    /** Every step so far: fractional epoch, then the columns' values. */
    public List<double[]> rows() {
        return rows;
    }

    /** The values of column {@code name} of every step. */
    public double[] column(String name) {
        int c = columns.indexOf(name);
        if (c < 0) {
            throw new IllegalArgumentException("StepLog: no column " + name + " in " + columns);
        }
        return rows.stream().mapToDouble(r -> r[c + 1]).toArray();
    }

    public double[] epochs() {
        return rows.stream().mapToDouble(r -> r[0]).toArray();
    }

    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,").append(String.join(",", columns)).append('\n');
        for (double[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.6g", r[i]));
            }
            sb.append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Takes back the steps of epochs 1..lastEpoch from a resumed run's file; none when it is absent, of other
     * columns or unreadable (the pictures only lose points).
     */
    public void read(Path file, int lastEpoch) throws IOException {
        rows.clear();
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals("epoch," + String.join(",", columns))) {
            return;
        }
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",", -1);
                double[] r = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    r[i] = Double.parseDouble(f[i]);
                }
                if (r.length == columns.size() + 1 && r[0] <= lastEpoch) {
                    rows.add(r);
                }
            }
        } catch (NumberFormatException e) {
            rows.clear();
        }
    }
}
