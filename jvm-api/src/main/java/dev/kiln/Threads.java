package dev.kiln;

import dev.kiln.cpu.Parallel;

/**
 * The CPU's thread team, which every CPU kernel splits its loops over: its size is the {@code kiln.threads}
 * system property, by default the available cores. As torch.get_num_threads / torch.set_num_threads. Any
 * number of threads may call Kiln at once; each caller's loops run on the team's idle workers too.
 */
public final class Threads {
    private Threads() {
    }

    /** Threads a CPU loop runs on now, the calling thread included. */
    public static int numThreads() {
        return Parallel.threads();
    }

    /** Sets the team's size for the loops that follow: 1 (every loop on the calling thread) to {@link #maxThreads()}. */
    public static void setNumThreads(int n) {
        Parallel.setThreads(n);
    }

    /** The most threads a team may have: the cores, or kiln.threads if it asks for more. */
    public static int maxThreads() {
        return Parallel.maxThreads();
    }
}
