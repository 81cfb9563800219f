package dev.kiln.cli.bench;

import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Times a kernel in-process: warm-up calls for the budget (at least three; the JIT needs about a second
 * to compile a kernel's loops fully), then timed calls for the budget (at least three), each waiting
 * for its result.
 */
public final class KernelTimer {
    private final long budgetNanos;

    public KernelTimer(double seconds) {
        this.budgetNanos = (long) (seconds * 1e9);
    }

    public Samples time(Supplier<Tensor> op) {
        long warmUntil = System.nanoTime() + budgetNanos;
        for (int calls = 0; calls < 3 || System.nanoTime() < warmUntil; calls++) {
            settle(op.get());
        }
        long[] times = new long[16];
        int n = 0;
        long end = System.nanoTime() + budgetNanos;
        while (n < 3 || System.nanoTime() < end) {
            long start = System.nanoTime();
            settle(op.get());
            if (n == times.length) {
                times = Arrays.copyOf(times, 2 * n);
            }
            times[n++] = System.nanoTime() - start;
        }
        return Samples.of(Arrays.copyOf(times, n));
    }

    /** Reads one element of the result: waits for an asynchronous device without timing a full copy. */
    private static void settle(Tensor result) {
        result.reshape(-1).narrow(0, 0, 1).toFloatArray();
    }
}
