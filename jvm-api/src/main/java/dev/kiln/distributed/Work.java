package dev.kiln.distributed;

import dev.kiln.spi.Communicator;

/**
 * A collective in flight, as the handle {@code torch.distributed} returns with {@code async_op=True}:
 * {@link #await()} waits for it (within the group's timeout) and writes its result.
 */
public final class Work {
    private final ProcessGroup group;
    private final String what;
    private final Communicator.Request request;
    private final Runnable finish; // writes the result where the caller asked for it
    private boolean done;
    private boolean finished;

    Work(ProcessGroup group, String what, Communicator.Request request, Runnable finish) {
        this.group = group;
        this.what = what;
        this.request = request;
        this.finish = finish;
    }

    /** Progresses the transport; true once the collective has completed (the result may not be written yet). */
    public boolean isCompleted() {
        synchronized (group) {
            done = done || request.test();
            return done;
        }
    }

    /** Waits for the collective and writes its result; later calls return at once. */
    public void await() {
        if (finished) {
            return;
        }
        if (!done) {
            group.complete(what, request);
            done = true;
        }
        finished = true;
        finish.run();
    }

    @Override
    public String toString() {
        return what + (finished ? " (finished)" : done ? " (completed)" : " (in flight)");
    }
}
