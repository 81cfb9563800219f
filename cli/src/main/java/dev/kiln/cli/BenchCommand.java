package dev.kiln.cli;

import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.Threads;
import dev.kiln.cli.bench.BenchReport;
import dev.kiln.cli.bench.BenchRow;
import dev.kiln.cli.bench.Ceilings;
import dev.kiln.cli.bench.KernelTimer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kiln bench`: a quick in-process timing of the main kernels (the careful numbers come from JMH in
 * bench/): min, median and p90 per kernel, the rate at the median, and the % of this machine's
 * measured roofline (memory-bound kernels against the copy bandwidth, compute-bound ones against the
 * float32 FMA peak); as a table, CSV or JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time the main kernels on a device.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--seconds", defaultValue = "1",
            description = "seconds of warm-up, then of timing, per kernel (default: ${DEFAULT-VALUE})")
    double seconds;
    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (default: ${DEFAULT-VALUE})")
    String format;

    @Override
    public Integer call() {
        if (!(seconds >= 0 && Double.isFinite(seconds))) {
            throw new UserError("--seconds must be a finite number >= 0, got " + seconds);
        }
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new UserError("--format must be table, csv or json, got '" + format + "'");
        }
        Device d = Devices.resolve(device);
        Generator g = new Generator(0);
        KernelTimer timer = new KernelTimer(seconds);
        List<BenchRow> rows = new ArrayList<>();
        int n = 1 << 22;
        Tensor a = Tensor.randn(g, n).to(d);
        Tensor b = Tensor.randn(g, n).to(d);
        rows.add(new BenchRow("add f32 [4M]", false, 3.0 * 4 * n, timer.time(() -> a.add(b))));
        rows.add(new BenchRow("relu f32 [4M]", false, 2.0 * 4 * n, timer.time(a::relu)));
        rows.add(new BenchRow("sum f32 [4M]", false, 4.0 * n, timer.time(a::sum)));
        Tensor logits = Tensor.randn(g, 4096, 1024).to(d);
        rows.add(new BenchRow("softmax f32 [4096, 1024] dim 1", false, 2.0 * 4 * 4096 * 1024,
                timer.time(() -> Functional.softmax(logits, 1))));
        Tensor m1 = Tensor.randn(g, 512, 512).to(d);
        Tensor m2 = Tensor.randn(g, 512, 512).to(d);
        rows.add(new BenchRow("matmul f32 512x512x512", true, 2.0 * 512 * 512 * 512, timer.time(() -> m1.matmul(m2))));
        Tensor x = Tensor.randn(g, 64, 32, 14, 14).to(d);
        Tensor w = Tensor.randn(g, 64, 32, 3, 3).to(d);
        rows.add(new BenchRow("conv2d f32 64x32x14x14, 64x3x3, pad 1", true, 2.0 * 64 * 64 * 14 * 14 * 32 * 9,
                timer.time(() -> Functional.conv2d(x, w, null, 1, 1, 1, 1))));
        Tensor p = Tensor.randn(g, 64, 32, 28, 28).to(d);
        rows.add(new BenchRow("max_pool2d f32 64x32x28x28, 2x2", false, 4.0 * 64 * 32 * 28 * 28 * 5 / 4,
                timer.time(() -> Functional.maxPool2d(p, 2))));
        System.out.print(BenchReport.format(format, d.toString(), Threads.numThreads(),
                Ceilings.of(d.properties(), Threads.numThreads()), rows));
        return 0;
    }
}
