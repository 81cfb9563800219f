package dev.kiln.bench.gpu;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.NdArray;
import dev.kiln.cuda.CudaBackend;
import dev.kiln.cuda.CudaEvent;
import dev.kiln.spi.Backends;
import java.io.IOException;
import java.io.InputStream;
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
 * every run, and prints min and median time, TFLOP/s and GB/s (of the median), the share of the
 * memory bandwidth measured in the same run (a 16-byte-vector device copy of 2 x peak-numel
 * floats) and of the device's specification, and, given PyTorch's times for the same cases
 * (bench/scripts/gpu_torch.py), the ratio PyTorch time / Kiln time (above 1: Kiln is faster).
 *
 * <pre>java dev.kiln.bench.gpu.GpuBench [--device cuda] [--cases FILE] [--repeats 20] [--flush-mib 256]
 *     [--peak-numel 268435456] [--baseline torch.tsv] [--out kiln.tsv] [--format text|csv|json] [--label COMMIT]</pre>
 */
public final class GpuBench {
    private GpuBench() {
    }

    /** A case's timings in milliseconds, sorted, and the work of one call. */
    record Result(GpuCase c, double[] ms, double flops, double bytes) {
        double minMs() {
            return ms[0];
        }

        double medianMs() {
            return ms[ms.length / 2];
        }

        double tflops() {
            return flops / medianMs() / 1e9;
        }

        double gbs() {
            return bytes / medianMs() / 1e6;
        }
    }

    /** How the run was made and the bandwidths it is measured against (GB/s; spec 0 where unknown). */
    record Run(String command, String label, String device, double peakGbs, double specGbs) {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = options(args);
        Device device = Device.parse(opts.getOrDefault("device", "cuda"));
        List<GpuCase> cases = cases(opts.get("cases"));
        int repeats = Integer.parseInt(opts.getOrDefault("repeats", "20"));
        int flushMib = Integer.parseInt(opts.getOrDefault("flush-mib", "256"));
        int peakNumel = Integer.parseInt(opts.getOrDefault("peak-numel", String.valueOf(1 << 28)));
        CudaBackend backend = backend(device);
        double peak = peakGbs(device, peakNumel, repeats, flushMib);
        List<Result> results = run(device, cases, repeats, flushMib);
        Map<String, Double> baseline = opts.containsKey("baseline") ? baseline(Path.of(opts.get("baseline"))) : Map.of();
        Run run = new Run("GpuBench " + String.join(" ", args), opts.getOrDefault("label", "-"), device.toString(), peak,
                backend.properties().specMemoryBandwidth() / 1e9);
        System.out.print(GpuReport.format(opts.getOrDefault("format", "text"), run, results, baseline));
        if (opts.containsKey("out")) {
            List<String> lines = new ArrayList<>();
            for (Result r : results) {
                lines.add(String.format(Locale.ROOT, "%s\t%.6f", r.c().text(), r.medianMs()));
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

    private static CudaBackend backend(Device device) {
        if (!(Backends.of(device) instanceof CudaBackend backend)) {
            throw new IllegalArgumentException("GpuBench: " + device + " is not a CUDA device (cuda, cuda-emu)");
        }
        return backend;
    }

    /** The memory bandwidth a 16-byte-vector device copy of numel floats reaches at its best run, GB/s. */
    static double peakGbs(Device device, int numel, int repeats, int flushMib) {
        Result copy = run(device, List.of(GpuCase.parse("copy f32 numel=" + numel)), repeats, flushMib).get(0);
        return copy.bytes() / copy.minMs() / 1e6;
    }

    static List<Result> run(Device device, List<GpuCase> cases, int repeats, int flushMib) {
        CudaBackend backend = backend(device);
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
                    NdArray[] out = timed.call().get();
                    end.record();
                    ms[r] = start.elapsedMillis(end);
                    close(out);
                }
                Arrays.sort(ms);
                results.add(new Result(c, ms, timed.flops(), timed.bytes()));
                backend.allocator().emptyCache();
            }
        }
        flush.close();
        return results;
    }

    private static void close(NdArray[] as) {
        for (NdArray a : as) {
            a.storage().release();
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
}
