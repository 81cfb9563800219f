package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** conflict.png: the cosine of the two tasks' gradients at every step (below 0: conflict), and both test accuracies. */
final class MultiTaskPlots {
    private MultiTaskPlots() {
    }

    static void draw(Path file, StepLog steps, List<double[]> history) throws IOException {
        XYChart cos = chart("gradient cosine of the shared trunk", "cosine");
        double[] at = steps.epochs();
        if (at.length > 0) {
            XYSeries s = cos.addSeries("each step", at, steps.column("cosine"));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(120, 120, 200, 90));
            XYSeries zero = cos.addSeries("no conflict above", new double[] {0, at[at.length - 1]}, new double[] {0, 0});
            zero.setMarker(SeriesMarkers.NONE);
            zero.setLineColor(Color.DARK_GRAY);
        }
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        cos.addSeries("epoch mean", epochs, history.stream().mapToDouble(r -> r[2]).toArray());
        XYChart acc = chart("test accuracy", "accuracy");
        acc.addSeries("class (10-way)", epochs, history.stream().mapToDouble(r -> r[4]).toArray());
        acc.addSeries("upper body (2-way)", epochs, history.stream().mapToDouble(r -> r[5]).toArray());
        Plots.labelEpochs(cos, epochs.length);
        Plots.labelEpochs(acc, epochs.length);
        Plots.save(file, List.of(cos, acc), 2);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setXAxisMin(0.0).setXAxisDecimalPattern("0.#").setYAxisDecimalPattern("0.00").setMarkerSize(4);
        return c;
    }
}
