package dev.kiln.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread team every CPU kernel splits its loops over, OpenMP style: the calling thread plus one
 * daemon worker per further core. A loop is cut into pieces that the caller and the workers claim one
 * at a time. After a loop the workers spin for a moment before they park, so the next kernel (training
 * runs hundreds per step, back to back) starts in well under a microsecond; waking a parked thread
 * costs tens of microseconds, more than many kernels take.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /**
     * Pieces a loop is cut into per thread, at most: threads claim them one at a time, so more pieces
     * balance uneven work better (a claim is one atomic increment) but cost more per-piece set-up.
     */
    private static final int PIECES_PER_THREAD = 16;
    /** How long an idle worker looks for the next loop before it parks. */
    private static final long SPIN_NANOS = 100_000;
    /** Held by the thread whose loop the team runs; other threads run their loops alone meanwhile. */
    private static final AtomicBoolean TEAM = new AtomicBoolean();
    private static final Worker[] WORKERS = new Worker[THREADS - 1];
    /** The loop the team runs now; null between loops (so nothing keeps a finished loop's arrays alive). */
    private static volatile Loop current;
    /** Numbers the loops, so a worker tells a new loop from one it has run. */
    private static long loops;
    /** The thread holding TEAM (its nested loops run inline). */
    private static volatile Thread owner;

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i);
            WORKERS[i].start();
        }
    }

    private Parallel() {
    }

    /** Work over [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs body over [0, n) in pieces of at least {@code grain} items, in parallel when there is more
     * than one piece (PIECES_PER_THREAD per thread at most). A loop nested in another kernel's loop runs
     * inline: the outer loop already keeps every thread busy. An exception thrown by a piece is rethrown
     * here, after the other pieces have stopped.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int pieces = Math.min((n + Math.max(grain, 1) - 1) / Math.max(grain, 1), THREADS * PIECES_PER_THREAD);
        Thread me = Thread.currentThread();
        if (pieces <= 1 || THREADS == 1 || me instanceof Worker || owner == me || !TEAM.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        owner = me;
        try {
            Loop loop = new Loop(body, n, pieces, ++loops);
            current = loop;
            for (Worker w : WORKERS) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            loop.work();
            while (loop.done.get() < loop.pieces) {
                Thread.onSpinWait();
            }
            loop.rethrow();
        } finally {
            current = null;
            owner = null;
            TEAM.set(false);
        }
    }

    /** One parallel loop: its pieces, claimed in order, and the first exception one threw. */
    private static final class Loop {
        private final Range body;
        private final int n;
        private final int pieces;
        private final int size;
        private final long number;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable error;

        Loop(Range body, int n, int pieces, long number) {
            this.body = body;
            this.number = number;
            this.n = n;
            this.size = (n + pieces - 1) / pieces;
            this.pieces = (n + size - 1) / size;
        }

        /** Claims and runs pieces until none is left. */
        void work() {
            for (int p = next.getAndIncrement(); p < pieces; p = next.getAndIncrement()) {
                try {
                    if (error == null) {
                        body.run(p * size, Math.min(n, (p + 1) * size));
                    }
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        void rethrow() {
            Throwable t = error;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    private static final class Worker extends Thread {
        /** Set before the worker parks; whoever publishes a loop then unparks it. */
        volatile boolean parked;

        Worker(int index) {
            super("kiln-cpu-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0; // the number of the last loop this worker ran
            long idleSince = System.nanoTime();
            while (true) {
                Loop loop = current;
                if (loop != null && loop.number != seen) {
                    seen = loop.number;
                    loop.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    loop = current; // one published before `parked` was visible would not unpark this worker
                    if (loop == null || loop.number == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
