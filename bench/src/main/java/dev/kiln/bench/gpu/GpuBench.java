package dev.kiln.bench.gpu;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cuda.CudaBackend;
import dev.kiln.cuda.CudaEvent;
import dev.kiln.spi.Backends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times each kernel of a cases file alone on a CUDA device with CUDA events, L2 flushed before
 * every run (the median of the runs is reported), and prints TFLOP/s, GB/s, % of the copy
 * bandwidth measured in the same run and, given PyTorch's times for the same cases
 * (bench/scripts/gpu_torch.py), the ratio PyTorch time / Kiln time (above 1: Kiln is faster).
 *
 * <pre>java dev.kiln.bench.gpu.GpuBench [--device cuda] [--cases FILE] [--repeats 20] [--flush-mib 256]
 *     [--baseline torch.tsv] [--out kiln.tsv]</pre>
 */
public final class GpuBench {
    private GpuBench() {
    }

    /** A case's median time and its rates. */
    record Result(GpuCase c, double ms, double tflops, double gbs) {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = options(args);
        Device device = Device.parse(opts.getOrDefault("device", "cuda"));
        List<GpuCase> cases = cases(opts.get("cases"));
        int repeats = Integer.parseInt(opts.getOrDefault("repeats", "20"));
        int flushMib = Integer.parseInt(opts.getOrDefault("flush-mib", "256"));
        List<Result> results = run(device, cases, repeats, flushMib);
        Map<String, Double> baseline = opts.containsKey("baseline") ? baseline(Path.of(opts.get("baseline"))) : Map.of();
        print(System.out, device, results, baseline);
        if (opts.containsKey("out")) {
            List<String> lines = new ArrayList<>();
            for (Result r : results) {
                lines.add(String.format(Locale.ROOT, "%s\t%.6f", r.c().text(), r.ms()));
            }
            Files.write(Path.of(opts.get("out")), lines, StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("GpuBench: expected --option value pairs, got " + Arrays.toString(args));
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    /** The cases of FILE, or the packaged issue-6 cases; '#' starts a comment. */
    static List<GpuCase> cases(String file) throws IOException {
        String text;
        if (file == null) {
            try (InputStream in = GpuBench.class.getResourceAsStream("cases.txt")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } else {
            text = Files.readString(Path.of(file));
        }
        List<GpuCase> cases = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.replaceFirst("#.*", "").trim();
            if (!s.isEmpty()) {
                cases.add(GpuCase.parse(s));
            }
        }
        return cases;
    }

    static List<Result> run(Device device, List<GpuCase> cases, int repeats, int flushMib) {
        if (!(Backends.of(device) instanceof CudaBackend backend)) {
            throw new IllegalArgumentException("GpuBench: " + device + " is not a CUDA device (cuda, cuda-emu)");
        }
        GpuKernels kernels = new GpuKernels(backend, device);
        Tensor flush = Tensor.zeros(new int[] {flushMib << 18}, DType.FLOAT32, device);
        List<Result> results = new ArrayList<>();
        try (CudaEvent start = backend.newEvent(); CudaEvent end = backend.newEvent()) {
            for (GpuCase c : cases) {
                GpuKernels.Timed timed = kernels.prepare(c);
                for (int i = 0; i < 3; i++) {
                    close(timed.call().get());
                }
                double[] ms = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    flush.fill_(r);                     // evicts the inputs from L2
                    start.record();
                    Tensor[] out = timed.call().get();
                    end.record();
                    ms[r] = start.elapsedMillis(end);
                    close(out);
                }
                Arrays.sort(ms);
                double median = ms[repeats / 2];
                results.add(new Result(c, median, timed.flops() / median / 1e9, timed.bytes() / median / 1e6));
                backend.allocator().emptyCache();
            }
        }
        return results;
    }

    private static void close(Tensor[] ts) {
        for (Tensor t : ts) {
            t.close();
        }
    }

    /** PyTorch's times: lines "case TAB milliseconds". */
    static Map<String, Double> baseline(Path file) throws IOException {
        Map<String, Double> ms = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t");
            if (parts.length == 2) {
                ms.put(parts[0], Double.parseDouble(parts[1]));
            }
        }
        return ms;
    }

    static void print(PrintStream out, Device device, List<Result> results, Map<String, Double> baseline) {
        double copyGbs = results.stream().filter(r -> r.c().op().equals("copy")).mapToDouble(Result::gbs).max().orElse(Double.NaN);
        out.printf(Locale.ROOT, "kernels on %s, CUDA-event median, L2 flushed; copy bandwidth %.0f GB/s%n%n", device, copyGbs);
        out.printf(Locale.ROOT, "%-62s %10s %9s %9s %8s %10s %8s%n", "case", "Kiln ms", "TFLOP/s", "GB/s", "% copy",
                "torch ms", "torch/Kiln");
        for (Result r : results) {
            Double base = baseline.get(r.c().text());
            boolean compute = r.tflops() > 0;   // % of copy bandwidth only for memory-bound kernels
            out.printf(Locale.ROOT, "%-62s %10.4f %9s %9.0f %8s %10s %8s%n", r.c().text(), r.ms(),
                    compute ? String.format(Locale.ROOT, "%.2f", r.tflops()) : "-", r.gbs(),
                    compute ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.gbs() / copyGbs),
                    base == null ? "-" : String.format(Locale.ROOT, "%.4f", base),
                    base == null ? "-" : String.format(Locale.ROOT, "%.2f", base / r.ms()));
        }
    }
}
