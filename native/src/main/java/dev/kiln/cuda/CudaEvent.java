package dev.kiln.cuda;

/**
 * A point in a stream's work: {@link #record} marks it, {@link #isComplete} and
 * {@link #synchronize} see when the device has passed it, and the time between two recorded
 * events is measured on the device ({@link #elapsedMillis}), which is how kernels are timed.
 */
public final class CudaEvent implements AutoCloseable {
    private final CudaContext context;
    private final Object handle;
    private volatile boolean recorded;
    private volatile boolean closed;

    CudaEvent(CudaContext context) {
        this.context = context;
        this.handle = context.api().createEvent(true);
    }

    CudaContext context() {
        return context;
    }

    Object handle() {
        if (closed) {
            throw new IllegalStateException(context.device() + ": the event was closed");
        }
        return handle;
    }

    /** Marks the point {@code stream} has reached; returns this. */
    public CudaEvent record(CudaStream stream) {
        context.requireSame("record", stream.context());
        context.api().recordEvent(handle(), stream.handle());
        recorded = true;
        return this;
    }

    /** Records on the calling thread's current stream. */
    public CudaEvent record() {
        return record(context.stream());
    }

    /** Whether the device has passed the recorded point (true if never recorded, as in CUDA). */
    public boolean isComplete() {
        return context.api().eventComplete(handle());
    }

    /** Blocks until the device has passed the recorded point. */
    public void synchronize() {
        context.api().synchronizeEvent(handle());
    }

    /** Device time in milliseconds from this event to {@code end} (waiting for end); both must have been recorded. */
    public float elapsedMillis(CudaEvent end) {
        context.requireSame("elapsedMillis", end.context());
        if (!recorded || !end.recorded) {
            throw new IllegalStateException(context.device() + ": elapsedMillis: the " + (recorded ? "end" : "start")
                    + " event was never recorded");
        }
        end.synchronize();
        return context.api().elapsedMillis(handle(), end.handle());
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.api().destroyEvent(handle);
        }
    }
}
