package dev.kiln.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/** One shared ForkJoinPool (a worker per core, daemon threads) that every CPU kernel splits its work over. */
public final class Parallel {
    /** Numbers worker threads (a worker's pool index is not yet assigned when the factory names it). */
    private static final AtomicInteger WORKERS = new AtomicInteger();
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("kiln-cpu-" + WORKERS.getAndIncrement());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {
    }

    /** Work over [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    public static int threads() {
        return POOL.getParallelism();
    }

    /**
     * Runs body over [0, n) in pieces of at least {@code grain} items, in parallel when there is
     * more than one piece. Pieces are a few per thread so uneven work still balances. Called from a
     * pool worker (a kernel nested in another kernel's parallel loop), it runs the range inline: the
     * outer loop already keeps every worker busy, and nested fork/join costs more than it gains.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int pieces = Math.min((n + Math.max(grain, 1) - 1) / Math.max(grain, 1), POOL.getParallelism() * 4);
        if (pieces <= 1 || POOL.getParallelism() == 1 || inPool()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Split(body, 0, n, (n + pieces - 1) / pieces));
    }

    private static boolean inPool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }

    private static final class Split extends RecursiveAction {
        private final Range body;
        private final int start;
        private final int end;
        private final int piece;

        Split(Range body, int start, int end, int piece) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.piece = piece;
        }

        @Override
        protected void compute() {
            if (end - start <= piece) {
                body.run(start, end);
                return;
            }
            int mid = start + ((end - start) / piece / 2) * piece;
            if (mid <= start) {
                mid = start + piece;
            }
            invokeAll(new Split(body, start, mid, piece), new Split(body, mid, end, piece));
        }
    }
}
