package dev.kiln.bench.gpu;

import static dev.kiln.nn.checkpoint.Json.quote;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GpuBench's results as an aligned table, CSV (a header line) or JSON (one object), each with the
 * command, its label (the commit), the device and the bandwidths the memory-bound kernels are
 * measured against: the copy measured in the same run and the device's specification.
 */
final class GpuReport {
    private GpuReport() {
    }

    static String format(String format, GpuBench.Run run, List<GpuBench.Result> results, Map<String, Double> baseline) {
        return switch (format) {
            case "text" -> table(run, results, baseline);
            case "csv" -> csv(run, results, baseline);
            case "json" -> json(run, results, baseline);
            default -> throw new IllegalArgumentException("GpuBench: --format " + format + " is not one of text, csv, json");
        };
    }

    /** The share of a bandwidth that a memory-bound result reaches, NaN for compute-bound ones or an unknown bandwidth. */
    private static double percentOf(GpuBench.Result r, double gbs) {
        return r.flops() > 0 || !(gbs > 0) ? Double.NaN : 100 * r.gbs() / gbs;
    }

    /** PyTorch's median over Kiln's (above 1: Kiln is faster), NaN without a baseline. */
    private static double ratio(GpuBench.Result r, Map<String, Double> baseline) {
        Double torch = baseline.get(r.c().text());
        return torch == null ? Double.NaN : torch / r.medianMs();
    }

    private static String cell(String format, double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String table(GpuBench.Run run, List<GpuBench.Result> results, Map<String, Double> baseline) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s%nlabel %s; kernels on %s, CUDA events, L2 flushed;"
                + " memory bandwidth: %.0f GB/s measured (device copy), %s GB/s spec%n%n", run.command(), run.label(),
                run.device(), run.peakGbs(), cell("%.0f", run.specGbs() > 0 ? run.specGbs() : Double.NaN)));
        int width = Math.max(4, results.stream().mapToInt(r -> r.c().text().length()).max().orElse(0));
        String fmt = "%-" + width + "s %9s %10s %4s %8s %7s %7s %7s %9s %10s%n";
        sb.append(String.format(Locale.ROOT, fmt, "case", "min ms", "median ms", "n", "TFLOP/s", "GB/s", "% peak", "% spec",
                "torch ms", "torch/Kiln"));
        for (GpuBench.Result r : results) {
            sb.append(String.format(Locale.ROOT, fmt, r.c().text(), cell("%.4f", r.minMs()), cell("%.4f", r.medianMs()),
                    r.ms().length, r.flops() > 0 ? cell("%.2f", r.tflops()) : "-", cell("%.0f", r.gbs()),
                    cell("%.0f%%", percentOf(r, run.peakGbs())), cell("%.0f%%", percentOf(r, run.specGbs())),
                    cell("%.4f", baseline.getOrDefault(r.c().text(), Double.NaN)), cell("%.2f", ratio(r, baseline))));
        }
        return sb.toString();
    }

    private static String csv(GpuBench.Run run, List<GpuBench.Result> results, Map<String, Double> baseline) {
        StringBuilder sb = new StringBuilder("case,min_ms,median_ms,samples,tflops,gbs,percent_of_peak,percent_of_spec,"
                + "torch_ms,torch_over_kiln,label,device,peak_gbs,spec_gbs\n");
        for (GpuBench.Result r : results) {
            sb.append(String.format(Locale.ROOT, "\"%s\",%.6f,%.6f,%d,%s,%.3f,%s,%s,%s,%s,\"%s\",\"%s\",%.1f,%s%n",
                    r.c().text(), r.minMs(), r.medianMs(), r.ms().length, r.flops() > 0 ? cell("%.4f", r.tflops()) : "",
                    r.gbs(), blank(percentOf(r, run.peakGbs())), blank(percentOf(r, run.specGbs())),
                    blank(baseline.getOrDefault(r.c().text(), Double.NaN)), blank(ratio(r, baseline)),
                    run.label().replace("\"", "\"\""), run.device(), run.peakGbs(), blank(run.specGbs() > 0 ? run.specGbs() : Double.NaN)));
        }
        return sb.toString();
    }

    private static String blank(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String json(GpuBench.Run run, List<GpuBench.Result> results, Map<String, Double> baseline) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "{\"command\": %s, \"label\": %s, \"device\": %s, "
                + "\"peak_gbs\": %.1f, \"spec_gbs\": %s, \"cases\": [", quote(run.command()), quote(run.label()),
                quote(run.device()), run.peakGbs(), run.specGbs() > 0 ? String.format(Locale.ROOT, "%.1f", run.specGbs()) : "null"));
        for (int i = 0; i < results.size(); i++) {
            GpuBench.Result r = results.get(i);
            sb.append(i == 0 ? "\n  " : ",\n  ").append(String.format(Locale.ROOT, "{\"case\": %s, \"min_ms\": %.6f, "
                    + "\"median_ms\": %.6f, \"samples\": %d, \"flops\": %.6g, \"bytes\": %.6g, \"torch_ms\": %s}",
                    quote(r.c().text()), r.minMs(), r.medianMs(), r.ms().length, r.flops(), r.bytes(),
                    baseline.containsKey(r.c().text()) ? String.format(Locale.ROOT, "%.6f", baseline.get(r.c().text())) : "null"));
        }
        return sb.append("\n]}\n").toString();
    }
}
