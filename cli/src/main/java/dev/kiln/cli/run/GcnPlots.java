package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** accuracy.png of `kiln run gcn`: the loss of the labelled and the validation nodes, and the three accuracies, per epoch. */
final class GcnPlots {
    private GcnPlots() {
    }

    /** history: rows of Gcn's metrics (loss, val_loss, train, validation and test accuracy), then seconds. */
    static void draw(Path file, List<double[]> history, String title) throws IOException {
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        XYChart loss = Plots.chart(title + ": cross-entropy", "loss");
        line(loss, "labelled nodes (dropout)", epochs, history, 0);
        line(loss, "validation", epochs, history, 1);
        XYChart acc = Plots.chart(title + ": node accuracy", "accuracy");
        line(acc, "train (labelled)", epochs, history, 2);
        line(acc, "validation", epochs, history, 3);
        line(acc, "test", epochs, history, 4);
        for (XYChart c : List.of(loss, acc)) {
            c.getStyler().setYAxisDecimalPattern("0.00");
            Plots.labelEpochs(c, epochs.length);
        }
        Plots.save(file, List.of(loss, acc), 2);
    }

    private static void line(XYChart c, String name, double[] epochs, List<double[]> history, int column) {
        XYSeries s = c.addSeries(name, epochs, history.stream().mapToDouble(r -> r[column]).toArray());
        s.setMarker(SeriesMarkers.NONE);
    }
}
