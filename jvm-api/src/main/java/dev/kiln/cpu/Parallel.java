package dev.kiln.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread team every CPU kernel splits its loops over, OpenMP style: the calling thread plus one
 * daemon worker per further core. A loop is cut into pieces that the caller and the workers claim one
 * at a time. Several threads may call at once: each caller publishes its loop in a slot of its own, and
 * a worker helps whichever published loop still has pieces to claim, so a second calling thread (a data
 * loader's, a second model's) gets the workers too once the first loop leaves them idle. After a loop
 * the workers spin for a moment before they park, so the next kernel (training runs hundreds per step,
 * back to back) starts in well under a microsecond; waking a parked thread costs tens of microseconds,
 * more than many kernels take.
 * The team's size is the {@code kiln.threads} system property (default: the available cores), and
 * {@link #setThreads} changes it at run time, as torch.set_num_threads ({@link dev.kiln.Threads}).
 */
public final class Parallel {
    /** The most threads a team may have: the cores, or more if kiln.threads asks for more. */
    private static final int MAX_THREADS = Math.max(Runtime.getRuntime().availableProcessors(), configuredThreads());
    /**
     * Pieces a loop is cut into per thread, at most: threads claim them one at a time, so more pieces
     * balance uneven work better (a claim is one atomic increment) but cost more per-piece set-up.
     */
    private static final int PIECES_PER_THREAD = 16;
    /** How long an idle worker looks for the next loop before it parks. */
    private static final long SPIN_NANOS = 100_000;
    /** Loops published at once, at most; a caller that finds every slot taken runs its loop alone. */
    private static final int SLOTS = 8;
    /** The loops callers run now, one slot each; null slots are free (nothing keeps a finished loop's arrays alive). */
    private static final AtomicReferenceArray<Loop> LOOPS = new AtomicReferenceArray<>(SLOTS);
    private static final Worker[] WORKERS = new Worker[MAX_THREADS - 1];
    /** The team's size now: the caller plus threads - 1 workers. */
    private static volatile int threads = configuredThreads();

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
        return threads;
    }

    /** Sets the team's size, 1 (every loop on the calling thread) to {@link #maxThreads()}. */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("setNumThreads: expected 1 to " + MAX_THREADS + " CPU threads, got " + n);
        }
        threads = n;
    }

    /** The cores, or kiln.threads if it asks for more. */
    public static int maxThreads() {
        return MAX_THREADS;
    }

    private static int configuredThreads() {
        String v = System.getProperty("kiln.threads");
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        if (v == null) {
            return cores;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("kiln.threads: expected a positive number of CPU threads, got '" + v + "'");
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
        int team = threads;
        int pieces = Math.min((n + Math.max(grain, 1) - 1) / Math.max(grain, 1), team * PIECES_PER_THREAD);
        Thread me = Thread.currentThread();
        if (pieces <= 1 || team == 1 || me instanceof Worker || runsALoop(me)) {
            body.run(0, n);
            return;
        }
        Loop loop = new Loop(body, n, pieces, team, me);
        int slot = publish(loop);
        if (slot < 0) {
            body.run(0, n);
            return;
        }
        try {
            for (int i = 0; i < team - 1; i++) {
                if (WORKERS[i].parked) {
                    LockSupport.unpark(WORKERS[i]);
                }
            }
            loop.work();
            while (loop.done.get() < loop.pieces) {
                Thread.onSpinWait();
            }
            loop.rethrow();
        } finally {
            LOOPS.set(slot, null);
        }
    }

    /** The slot loop now holds, or -1 when every slot is taken. */
    private static int publish(Loop loop) {
        for (int s = 0; s < SLOTS; s++) {
            if (LOOPS.get(s) == null && LOOPS.compareAndSet(s, null, loop)) {
                return s;
            }
        }
        return -1;
    }

    /** Whether thread t is the caller of a published loop (its nested loops run inline). */
    private static boolean runsALoop(Thread t) {
        for (int s = 0; s < SLOTS; s++) {
            Loop l = LOOPS.get(s);
            if (l != null && l.caller == t) {
                return true;
            }
        }
        return false;
    }

    /** A published loop with pieces left whose team includes worker {@code index}, or null. */
    private static Loop pending(int index) {
        for (int k = 0; k < SLOTS; k++) {
            Loop l = LOOPS.get((index + k) % SLOTS);   // workers start at different slots, to spread over callers
            if (l != null && index < l.team - 1 && l.next.get() < l.pieces) {
                return l;
            }
        }
        return null;
    }

    /** One parallel loop: its pieces, claimed in order, and the first exception one threw. */
    private static final class Loop {
        private final Range body;
        private final int n;
        private final int pieces;
        private final int size;
        /** Threads in the team that runs it: workers numbered team - 1 and above sit it out. */
        private final int team;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable error;

        Loop(Range body, int n, int pieces, int team, Thread caller) {
            this.body = body;
            this.team = team;
            this.caller = caller;
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
        private final int index;

        Worker(int index) {
            super("kiln-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Loop loop = pending(index);
                if (loop != null) {
                    loop.work();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (pending(index) == null) { // a loop published before `parked` was visible would not unpark this worker
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
