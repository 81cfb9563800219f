package dev.kiln.cuda;

/**
 * A queue of work on one device: its launches, copies and allocations run in the order they were
 * issued. Work goes to the calling thread's current stream ({@link #use}), the default stream
 * unless set. Closing a stream waits for its work, so memory it used is free to reuse at once.
 */
public final class CudaStream implements AutoCloseable {
    private final CudaContext context;
    private final Object handle;
    private volatile boolean closed;

    /** Restores the thread's previous stream on close. */
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /** {@code handle} null: the device's default stream. */
    CudaStream(CudaContext context, Object handle) {
        this.context = context;
        this.handle = handle;
    }

    CudaContext context() {
        return context;
    }

    boolean isClosed() {
        return closed;
    }

    /** The device API's handle; using a closed stream is an error, never undefined behaviour. */
    Object handle() {
        if (closed) {
            throw new IllegalStateException(this + ": the stream was closed");
        }
        return handle;
    }

    /** Makes this the calling thread's stream on its device until the returned scope closes. */
    public Use use() {
        handle();
        return context.use(this);
    }

    /** Blocks until the work issued so far has completed. */
    public void synchronize() {
        context.api().synchronizeStream(handle());
    }

    /** Work issued to this stream from now on starts only after {@code event}'s recorded point. */
    public void waitFor(CudaEvent event) {
        context.requireSame("waitFor", event.context());
        context.api().streamWaitEvent(handle(), event.handle());
    }

    @Override
    public void close() {
        if (handle == null) {
            throw new IllegalStateException(this + ": the default stream cannot be closed");
        }
        if (!closed) {
            synchronize();
            closed = true;
            context.api().destroyStream(handle);
        }
    }

    @Override
    public String toString() {
        return context.device() + (handle == null ? " default stream" : " stream@" + Integer.toHexString(hashCode()));
    }
}
