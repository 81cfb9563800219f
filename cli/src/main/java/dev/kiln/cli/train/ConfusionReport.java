package dev.kiln.cli.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** An evaluation as text (accuracy, per-class accuracy, confusion matrix) and as a PNG heat map. */
public final class ConfusionReport {
    private ConfusionReport() {
    }

    public static String text(Evaluation ev, List<String> classes) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "accuracy %.2f%%   loss %.4f%n%nper class:%n", 100 * ev.accuracy(), ev.loss()));
        double[] per = ev.perClassAccuracy();
        for (int c = 0; c < classes.size(); c++) {
            sb.append(String.format(Locale.ROOT, "  %d %-12s %6.2f%%%n", c, classes.get(c), 100 * per[c]));
        }
        sb.append(String.format("%nconfusion matrix (rows: true class, columns: predicted)%n     "));
        for (int c = 0; c < classes.size(); c++) {
            sb.append(String.format("%6d", c));
        }
        sb.append('\n');
        long[][] m = ev.confusion();
        for (int r = 0; r < m.length; r++) {
            sb.append(String.format("  %2d ", r));
            for (long v : m[r]) {
                sb.append(String.format("%6d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The matrix as a heat map of row percentages (each true class's predictions sum to 100), so the
     * off-diagonal errors show beside the large diagonal counts; x labels slanted so long names do not overlap.
     */
    public static void png(Path file, Evaluation ev, List<String> classes) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(760).height(640).title("confusion matrix (% of each true class)")
                .xAxisTitle("predicted").yAxisTitle("true").build();
        List<Number[]> cells = new ArrayList<>();
        long[][] m = ev.confusion();
        for (int r = 0; r < m.length; r++) {
            long total = 0;
            for (long v : m[r]) {
                total += v;
            }
            for (int c = 0; c < m.length; c++) {
                double percent = total == 0 ? 0 : Math.round(1000.0 * m[r][c] / total) / 10.0;
                // the heat map's y axis grows upwards; flip it so class 0 is the top row, as in the text
                cells.add(new Number[] {c, m.length - 1 - r, percent});
            }
        }
        List<String> reversed = new ArrayList<>(classes);
        java.util.Collections.reverse(reversed);
        chart.addSeries("count", classes, reversed, cells);
        chart.getStyler().setShowValue(true).setMin(0).setMax(100).setXAxisLabelRotation(40);
        Plots.save(file, List.of(chart), 1);
    }
}
