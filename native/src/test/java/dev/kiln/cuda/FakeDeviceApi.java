package dev.kiln.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A device without kernels whose streams run only when told ({@link #finishAll}), so the allocator's
 * stream ordering can be tested with work still pending, which cuda-emu (finishing everything at
 * once) never has.
 */
final class FakeDeviceApi implements DeviceApi {
    private static final class Event {
        boolean complete = true;
    }

    private final List<Event> pending = new ArrayList<>();
    private long next = 1 << 20;
    boolean busy;
    /** How often {@link #kernel} was asked (each a cuModuleGetFunction on a GPU). */
    int kernelLookups;

    /** The device catches up: every recorded event completes. */
    void finishAll() {
        pending.forEach(e -> e.complete = true);
        pending.clear();
        busy = false;
    }

    @Override
    public String name() {
        return "fake:0";
    }

    @Override
    public long malloc(long bytes) {
        long a = next;
        next += bytes;
        return a;
    }

    @Override
    public void free(long address) {
    }

    @Override
    public void copyToDevice(long dst, Object array, long byteOffset, long bytes, Object stream) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void copyToHost(Object array, long byteOffset, long src, long bytes, Object stream) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void memset(long dst, int value, long bytes, Object stream) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Kernel kernel(String module, String name) {
        kernelLookups++;
        return new Kernel(module, name, new Object());
    }

    @Override
    public void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args, Object stream) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void synchronize() {
        finishAll();
    }

    @Override
    public Object createStream() {
        return new Object();
    }

    @Override
    public void destroyStream(Object stream) {
    }

    @Override
    public void synchronizeStream(Object stream) {
        finishAll();
    }

    @Override
    public Object createEvent(boolean timing) {
        return new Event();
    }

    @Override
    public void destroyEvent(Object event) {
    }

    /** While busy, an event recorded now completes only at {@link #finishAll}. */
    @Override
    public void recordEvent(Object event, Object stream) {
        Event e = (Event) event;
        e.complete = !busy;
        if (busy) {
            pending.add(e);
        }
    }

    @Override
    public void streamWaitEvent(Object stream, Object event) {
    }

    @Override
    public boolean eventComplete(Object event) {
        return ((Event) event).complete;
    }

    @Override
    public void synchronizeEvent(Object event) {
        finishAll();
    }

    @Override
    public float elapsedMillis(Object start, Object end) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int maxThreadsPerBlock() {
        return 1024;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return 48 * 1024;
    }

    @Override
    public int multiprocessorCount() {
        return 8;
    }

    @Override
    public int maxThreadsPerMultiprocessor() {
        return 1536;
    }
}
