package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The pictures of `kiln run seq2seq`: the loss and accuracy curves, and one date's attention heat map. */
final class Seq2SeqPlots {
    private Seq2SeqPlots() {
    }

    /** accuracy.png: training and validation loss, validation token accuracy and exact match, per epoch. */
    static void accuracy(Path file, List<double[]> history, String title) throws IOException {
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        XYChart loss = Plots.chart(title + ": token cross-entropy", "loss");
        line(loss, "training", epochs, history, 0);
        line(loss, "validation", epochs, history, 1);
        XYChart acc = Plots.chart(title + ": validation accuracy", "accuracy");
        line(acc, "token (teacher forcing)", epochs, history, 2);
        line(acc, "exact match (greedy)", epochs, history, 3);
        loss.getStyler().setYAxisDecimalPattern("0.000");
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        for (XYChart c : List.of(loss, acc)) {
            Plots.labelEpochs(c, epochs.length);
        }
        Plots.save(file, List.of(loss, acc), 2);
    }

    private static void line(XYChart c, String name, double[] epochs, List<double[]> history, int column) {
        XYSeries s = c.addSeries(name, epochs, history.stream().mapToDouble(r -> r[column]).toArray());
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /**
     * attention.png: weights (T, S) as a heat map, the source's characters along x (a space shown as '_'), the decoded
     * characters down y (first on top, EOS last); each row sums to 1.
     */
    static void attention(Path file, float[][] weights, String source, String decoded, String title) throws IOException {
        int t = weights.length;
        int s = weights[0].length;
        List<String> columns = new ArrayList<>();
        for (int j = 0; j < s; j++) {
            columns.add(source.charAt(j) == ' ' ? "_" : String.valueOf(source.charAt(j)));
        }
        List<String> rows = new ArrayList<>();   // XChart draws the first y category at the bottom
        for (int i = t - 1; i >= 0; i--) {
            rows.add(i < decoded.length() ? String.valueOf(decoded.charAt(i)) : "EOS");
        }
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < s; j++) {
                cells.add(new Number[] {j, t - 1 - i, weights[i][j]});
            }
        }
        HeatMapChart c = new HeatMapChartBuilder().width(Math.max(480, 160 + 28 * s)).height(140 + 32 * t)
                .title(title + ": cross-attention").xAxisTitle("source").yAxisTitle("output").build();
        c.addSeries("attention", columns, rows, cells);
        c.getStyler().setMin(0).setMax(1).setShowValue(false)
                .setRangeColors(new Color[] {new Color(255, 255, 255), new Color(250, 200, 120), new Color(200, 60, 30)});
        Plots.save(file, List.of(c), 1);
    }
}
