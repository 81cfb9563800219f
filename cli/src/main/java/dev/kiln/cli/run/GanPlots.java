package dev.kiln.cli.run;

import dev.kiln.cli.train.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** losses.png of the GAN: the discriminator's and the generator's loss at every step. */
final class GanPlots {
    private GanPlots() {
    }

    static void losses(Path file, StepLog steps) throws IOException {
        XYChart c = new XYChartBuilder().width(720).height(400).title("GAN losses per step").xAxisTitle("epoch")
                .yAxisTitle("binary cross-entropy").build();
        c.getStyler().setXAxisMin(0.0).setYAxisDecimalPattern("0.00").setMarkerSize(2);
        double[] at = steps.epochs();
        if (at.length > 0) {
            for (String column : List.of("loss_d", "loss_g")) {
                XYSeries s = c.addSeries(column.equals("loss_d") ? "discriminator" : "generator", at, steps.column(column));
                s.setMarker(SeriesMarkers.NONE);
            }
            Plots.labelEpochs(c, at[at.length - 1]);
        }
        Plots.save(file, List.of(c), 1);
    }
}
