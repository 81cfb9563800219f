package dev.kiln.cli.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** PNG charts of a run, drawn with XChart (headless: no display is needed). */
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
        BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, stripPng(file), BitmapEncoder.BitmapFormat.PNG);
    }

    /** XChart appends the extension itself. */
    static String stripPng(Path file) {
        String s = file.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
