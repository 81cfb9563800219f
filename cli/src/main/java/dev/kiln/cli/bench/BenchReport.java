package dev.kiln.cli.bench;

import static dev.kiln.nn.checkpoint.Json.quote;

import java.util.List;
import java.util.Locale;

/** kiln bench's results as an aligned table, CSV (one header line) or JSON (one object). */
public final class BenchReport {
    private BenchReport() {
    }

    public static String format(String format, String device, int threads, Ceilings c, List<BenchRow> rows) {
        return switch (format) {
            case "csv" -> csv(rows, c);
            case "json" -> json(device, threads, c, rows);
            default -> table(device, threads, c, rows);
        };
    }

    private static String table(String device, int threads, Ceilings c, List<BenchRow> rows) {
        int width = Math.max("kernel".length(), rows.stream().mapToInt(r -> r.kernel().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "kernels on %s (%d thread%s); ceilings " + c.source()
                + "%n%n", device, threads, threads == 1 ? "" : "s", c.bytesPerSecond() / 1e9, c.flopsPerSecond() / 1e9));
        String fmt = "%-" + width + "s %10s %10s %10s %7s %15s %10s%n";
        sb.append(String.format(Locale.ROOT, fmt, "kernel", "min ms", "median ms", "p90 ms", "calls", "rate (median)",
                "% ceiling"));
        for (BenchRow r : rows) {
            Samples s = r.samples();
            sb.append(String.format(Locale.ROOT, fmt, r.kernel(), ms(s.min()), ms(s.median()), ms(s.p90()), s.count(),
                    String.format(Locale.ROOT, "%.1f %s", r.rate() / 1e9, r.unit()),
                    String.format(Locale.ROOT, "%.0f%%", r.percentOf(c))));
        }
        return sb.toString();
    }

    private static String csv(List<BenchRow> rows, Ceilings c) {
        StringBuilder sb = new StringBuilder("kernel,bound,min_s,median_s,p90_s,calls,rate,rate_unit,percent_of_ceiling\n");
        for (BenchRow r : rows) {
            Samples s = r.samples();
            sb.append(String.format(Locale.ROOT, "\"%s\",%s,%.9g,%.9g,%.9g,%d,%.6g,%s,%.2f%n", r.kernel().replace("\"", "\"\""),
                    r.computeBound() ? "compute" : "memory", s.min(), s.median(), s.p90(), s.count(), r.rate() / 1e9,
                    r.unit(), r.percentOf(c)));
        }
        return sb.toString();
    }

    private static String json(String device, int threads, Ceilings c, List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "{\"device\": %s, \"threads\": %d, "
                + "\"ceilings\": {\"memory_bytes_per_s\": %.6g, \"compute_flop_per_s\": %.6g, \"source\": \"%s\"}, "
                + "\"kernels\": [", quote(device), threads, c.bytesPerSecond(), c.flopsPerSecond(),
                c.measured() ? "measured" : "specification"));
        for (int i = 0; i < rows.size(); i++) {
            BenchRow r = rows.get(i);
            Samples s = r.samples();
            sb.append(i == 0 ? "\n  " : ",\n  ").append(String.format(Locale.ROOT, "{\"kernel\": %s, \"bound\": \"%s\", "
                    + "\"work_per_call\": %.6g, \"min_s\": %.9g, \"median_s\": %.9g, \"p90_s\": %.9g, \"calls\": %d, "
                    + "\"rate_per_s\": %.6g, \"percent_of_ceiling\": %.2f}", quote(r.kernel()),
                    r.computeBound() ? "compute" : "memory", r.work(), s.min(), s.median(), s.p90(), s.count(), r.rate(),
                    r.percentOf(c)));
        }
        return sb.append("\n]}\n").toString();
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
    }
}
