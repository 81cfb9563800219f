package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The pictures of `kiln run textcls`: the validation confusion matrix and the accuracy curves. */
final class TextClsPlots {
    private TextClsPlots() {
    }

    /**
     * confusion.png: a heat map with the true classes as rows (the first on top) and the predicted ones as columns; each
     * cell is the share of its row's fortunes (that class's recall on the diagonal), so small classes read as clearly as
     * large ones.
     */
    static void confusion(Path file, ConfusionMatrix m, List<String> names, String title) throws IOException {
        int k = names.size();
        HeatMapChart c = new HeatMapChartBuilder().width(120 + 90 * k).height(100 + 70 * k)
                .title(title + ": validation, share of each true class").xAxisTitle("predicted").yAxisTitle("true").build();
        List<String> rows = new ArrayList<>(names);
        Collections.reverse(rows); // XChart draws the first y category at the bottom
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            long n = Math.max(1, m.support(t));
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - t, (double) m.count(t, p) / n});
            }
        }
        c.addSeries("share", names, rows, cells);
        c.getStyler().setShowValue(true).setMin(0).setMax(1).setHeatMapValueDecimalPattern("0.00")
                .setRangeColors(new Color[] {new Color(255, 255, 255), new Color(250, 200, 120), new Color(200, 60, 30)});
        Plots.save(file, List.of(c), 1);
    }

    /** accuracy.png: validation accuracy and balanced accuracy per epoch (history's columns 2 and 3). */
    static void accuracy(Path file, List<double[]> history, String title) throws IOException {
        XYChart c = Plots.chart(title + ": validation accuracy", "accuracy");
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        String[] labels = {"accuracy", "balanced accuracy"};
        Color[] colors = {new Color(200, 80, 40), new Color(60, 110, 200)};
        for (int j = 0; j < labels.length; j++) {
            int column = 2 + j;
            XYSeries v = c.addSeries(labels[j], epochs, history.stream().mapToDouble(r -> r[column]).toArray());
            v.setMarker(SeriesMarkers.CIRCLE);
            v.setLineColor(colors[j]);
            v.setMarkerColor(colors[j]);
        }
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        Plots.labelEpochs(c, epochs.length);
        Plots.save(file, List.of(c), 1);
    }
}
