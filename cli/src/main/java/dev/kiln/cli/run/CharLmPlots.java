package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** perplexity.png of the character model: the training chunks' perplexity at every step and validation's per epoch. */
final class CharLmPlots {
    private CharLmPlots() {
    }

    static void perplexity(Path file, StepLog steps, List<double[]> history, String title) throws IOException {
        XYChart c = Plots.chart(title + ": perplexity per byte", "perplexity");
        double[] at = steps.epochs();
        if (at.length > 0) {
            double[] loss = steps.column("loss");
            double[] perplexity = new double[loss.length];
            for (int i = 0; i < loss.length; i++) {
                perplexity[i] = Math.exp(loss[i]);
            }
            XYSeries s = c.addSeries("training chunks", at, perplexity);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(120, 120, 200));
        }
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        XYSeries v = c.addSeries("validation", epochs, history.stream().mapToDouble(r -> r[2]).toArray());
        v.setMarker(SeriesMarkers.CIRCLE);
        v.setLineColor(new Color(200, 80, 40));
        c.getStyler().setYAxisDecimalPattern("0.00");
        Plots.labelEpochs(c, epochs.length);
        Plots.save(file, List.of(c), 1);
    }
}
