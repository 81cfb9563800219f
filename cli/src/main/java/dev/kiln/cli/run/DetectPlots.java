package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** map.png of `kiln run detect`: both training losses (each step and per epoch) and the validation mAPs per epoch. */
final class DetectPlots {
    private DetectPlots() {
    }

    /** history: rows of Detect's metrics (loss, cls_loss, box_loss, val_map, val_map50, val_map75), then seconds. */
    static void draw(Path file, List<double[]> history, StepLog steps) throws IOException {
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        XYChart loss = Plots.chart("detect: training losses", "loss");
        String[] names = {"focal (classes)", "GIoU (boxes)"};
        String[] columns = {"cls_loss", "box_loss"};
        Color[] colors = {new Color(200, 80, 40), new Color(60, 110, 200)};
        for (int k = 0; k < 2; k++) {
            XYSeries dots = loss.addSeries(names[k] + ", each step", steps.epochs(), steps.column(columns[k]));
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            dots.setMarkerColor(new Color(colors[k].getRed(), colors[k].getGreen(), colors[k].getBlue(), 60));
            XYSeries mean = line(loss, names[k] + ", epoch mean", epochs, history, 1 + k);
            mean.setLineColor(colors[k]);
            mean.setMarkerColor(colors[k]);
        }
        XYChart map = Plots.chart("detect: validation mAP", "mAP");
        line(map, "mAP@0.5", epochs, history, 4);
        line(map, "mAP@0.75", epochs, history, 5);
        line(map, "mAP@[.5:.95]", epochs, history, 3);
        map.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        Plots.labelEpochs(loss, epochs.length);
        Plots.labelEpochs(map, epochs.length);
        Plots.save(file, List.of(loss, map), 2);
    }

    private static XYSeries line(XYChart c, String name, double[] epochs, List<double[]> history, int column) {
        XYSeries s = c.addSeries(name, epochs, history.stream().mapToDouble(r -> r[column]).toArray());
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }
}
