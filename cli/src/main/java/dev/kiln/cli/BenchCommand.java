package dev.kiln.cli;

import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kiln bench`: a quick in-process timing of the main kernels (the careful numbers come from JMH in
 * bench/). Memory-bound kernels are compared with the bandwidth of a plain array copy measured in the
 * same run, the memory ceiling of this machine's roofline.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time the main kernels on a device.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--device", defaultValue = "cpu", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--seconds", defaultValue = "1",
            description = "seconds of warm-up, then of timing, per kernel (default: ${DEFAULT-VALUE})")
    double seconds;

    @Override
    public Integer call() {
        if (!(seconds >= 0 && Double.isFinite(seconds))) {
            throw new UserError("--seconds must be a finite number >= 0, got " + seconds);
        }
        Device d = Devices.resolve(device);
        Generator g = new Generator(0);
        double copyGBs = copyBandwidth();
        System.out.printf(Locale.ROOT, "kernels on %s (%d threads); memory ceiling: array copy %.1f GB/s; "
                + "median time per call%n%n", d,
                Runtime.getRuntime().availableProcessors(), copyGBs);
        System.out.printf("%-36s %10s %12s %14s%n", "kernel", "time", "rate", "% of copy BW");
        int n = 1 << 22;
        Tensor a = Tensor.randn(g, n).to(d);
        Tensor b = Tensor.randn(g, n).to(d);
        memory("add f32 [4M]", () -> a.add(b), 3L * 4 * n, copyGBs);
        memory("relu f32 [4M]", a::relu, 2L * 4 * n, copyGBs);
        memory("sum f32 [4M]", a::sum, 4L * n, copyGBs);
        Tensor logits = Tensor.randn(g, 4096, 1024).to(d);
        memory("softmax f32 [4096, 1024] dim 1", () -> Functional.softmax(logits, 1), 2L * 4 * 4096 * 1024, copyGBs);
        Tensor m1 = Tensor.randn(g, 512, 512).to(d);
        Tensor m2 = Tensor.randn(g, 512, 512).to(d);
        compute("matmul f32 512x512x512", () -> m1.matmul(m2), 2.0 * 512 * 512 * 512);
        Tensor x = Tensor.randn(g, 64, 32, 14, 14).to(d);
        Tensor w = Tensor.randn(g, 64, 32, 3, 3).to(d);
        compute("conv2d f32 64x32x14x14, 64x3x3, pad 1", () -> Functional.conv2d(x, w, null, 1, 1, 1, 1),
                2.0 * 64 * 64 * 14 * 14 * 32 * 9);
        Tensor p = Tensor.randn(g, 64, 32, 28, 28).to(d);
        memory("max_pool2d f32 64x32x28x28, 2x2", () -> Functional.maxPool2d(p, 2), 4L * 64 * 32 * 28 * 28 * 5 / 4, copyGBs);
        return 0;
    }

    private void memory(String name, Supplier<Tensor> op, long bytes, double copyGBs) {
        double s = time(op);
        double gbs = bytes / s / 1e9;
        System.out.printf(Locale.ROOT, "%-36s %8.3f ms %8.1f GB/s %13.0f%%%n", name, s * 1e3, gbs, 100 * gbs / copyGBs);
    }

    private void compute(String name, Supplier<Tensor> op, double flops) {
        double s = time(op);
        System.out.printf(Locale.ROOT, "%-36s %8.3f ms %6.1f GFLOP/s %14s%n", name, s * 1e3, flops / s / 1e9, "-");
    }

    /**
     * The median time per call: warm-up calls for the budget (at least three; the JIT needs about a second
     * to compile a kernel's loops fully), then timed calls for the budget (at least three).
     */
    private double time(Supplier<Tensor> op) {
        long budget = (long) (seconds * 1e9);
        long warmUntil = System.nanoTime() + budget;
        for (int calls = 0; calls < 3 || System.nanoTime() < warmUntil; calls++) {
            settle(op.get());
        }
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + budget;
        while (times.size() < 3 || System.nanoTime() < end) {
            long start = System.nanoTime();
            settle(op.get());
            times.add(System.nanoTime() - start);
        }
        Collections.sort(times);
        return times.get(times.size() / 2) / 1e9;
    }

    /** Reads one element of the result: waits for an asynchronous device without timing a full copy. */
    private static void settle(Tensor result) {
        result.reshape(-1).narrow(0, 0, 1).toFloatArray();
    }

    /** Bytes moved (read + written) per second by System.arraycopy of 32 MiB. */
    private double copyBandwidth() {
        float[] src = new float[1 << 23];
        float[] dst = new float[src.length];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        long start = System.nanoTime();
        int reps = 20;
        for (int i = 0; i < reps; i++) {
            System.arraycopy(src, 0, dst, 0, src.length);
        }
        return 2.0 * 4 * src.length * reps / ((System.nanoTime() - start) / 1e9) / 1e9;
    }
}
