package dev.kiln.cli.train;

import dev.kiln.nn.checkpoint.AtomicFile;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.knowm.xchart.internal.chartpart.Chart;

/** PNG charts of a run, drawn with XChart (headless: no display is needed) and written atomically. */
public final class Plots {
    public static final String CURVES_FILE = "curves.png";

    private Plots() {
    }

    /**
     * Loss and accuracy per epoch, train and test, side by side in one PNG; the loss chart also shows
     * every step's batch loss as small dots. Ticks are rounded (epochs from 0, 3 decimals).
     */
    static void curves(Path file, List<EpochMetrics> rows, List<StepLosses.Step> steps) throws IOException {
        double[] epochs = rows.stream().mapToDouble(EpochMetrics::epoch).toArray();
        XYChart loss = chart("loss", "cross-entropy");
        if (!steps.isEmpty()) {
            XYSeries s = loss.addSeries("train (each step)", steps.stream().mapToDouble(StepLosses.Step::epoch).toArray(),
                    steps.stream().mapToDouble(StepLosses.Step::loss).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(120, 120, 200, 90));
        }
        loss.addSeries("train", epochs, rows.stream().mapToDouble(EpochMetrics::trainLoss).toArray());
        loss.addSeries("test", epochs, rows.stream().mapToDouble(EpochMetrics::testLoss).toArray());
        XYChart acc = chart("accuracy", "accuracy");
        acc.addSeries("train", epochs, rows.stream().mapToDouble(EpochMetrics::trainAccuracy).toArray());
        acc.addSeries("test", epochs, rows.stream().mapToDouble(EpochMetrics::testAccuracy).toArray());
        labelEpochs(loss, epochs[epochs.length - 1]);
        labelEpochs(acc, epochs[epochs.length - 1]);
        save(file, List.of(loss, acc), 2);
    }

    /**
     * Labels an epoch axis at round epochs only (every 0.5 up to 2.5 epochs, 1 up to 6, then about 5 labels):
     * over fractional steps XChart ticks every 0.1 epoch, and those labels run into each other.
     */
    public static void labelEpochs(XYChart c, double lastEpoch) {
        double step = lastEpoch <= 2.5 ? 0.5 : lastEpoch <= 6 ? 1 : Math.ceil(lastEpoch / 5);
        DecimalFormat format = new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT));
        c.getStyler().setxAxisTickLabelsFormattingFunction(v -> Math.abs(v / step - Math.rint(v / step)) < 1e-6
                ? format.format(v) : " "); // XChart cannot lay out an empty label
    }

    /** A 560x400 chart over epochs (from 0), y ticks to 3 decimals. */
    public static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setXAxisMin(0.0).setXAxisDecimalPattern("0.#").setYAxisDecimalPattern("0.000").setMarkerSize(4);
        return c;
    }

    /** The charts side by side (columns of one row) as one PNG. */
    public static void save(Path file, List<? extends Chart<?, ?>> charts, int columns) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        BitmapEncoder.saveBitmap(charts, 1, columns, png, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(file, png.toByteArray());
    }
}
