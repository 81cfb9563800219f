package dev.kiln.cli.train;

import dev.kiln.nn.checkpoint.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

/** PNG charts of a run, drawn with XChart (headless: no display is needed) and written atomically. */
public final class Plots {
    public static final String CURVES_FILE = "curves.png";

    private Plots() {
    }

    /** Loss and accuracy per epoch, train and test, side by side in one PNG. */
    public static void curves(Path file, List<EpochMetrics> rows) throws IOException {
        double[] epochs = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
        XYChart loss = new XYChartBuilder().width(560).height(400).title("loss").xAxisTitle("epoch").yAxisTitle("cross-entropy")
                .build();
        loss.addSeries("train", epochs, rows.stream().mapToDouble(EpochMetrics::trainLoss).toArray());
        loss.addSeries("test", epochs, rows.stream().mapToDouble(EpochMetrics::testLoss).toArray());
        XYChart acc = new XYChartBuilder().width(560).height(400).title("accuracy").xAxisTitle("epoch").yAxisTitle("accuracy")
                .build();
        acc.addSeries("train", epochs, rows.stream().mapToDouble(EpochMetrics::trainAccuracy).toArray());
        acc.addSeries("test", epochs, rows.stream().mapToDouble(EpochMetrics::testAccuracy).toArray());
        save(file, List.of(loss, acc), 2);
    }

    /** The charts side by side (columns of one row) as one PNG. */
    static void save(Path file, List<? extends Chart<?, ?>> charts, int columns) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(charts, 1, columns, png, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(file, png.toByteArray());
    }
}
