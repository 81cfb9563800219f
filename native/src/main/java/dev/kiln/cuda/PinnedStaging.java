package dev.kiln.cuda;

import dev.kiln.DType;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Host-to-device copies that do not wait for the device, as tensor.to("cuda", non_blocking=True) from pinned
 * memory: the host array is copied into a page-locked staging buffer and the device copy is queued on the
 * stream, so it runs while the device works through the kernels queued before it (a plain copy waits for them).
 * A buffer is reused once the event recorded after its copy shows the copy done; buffers stay cached between
 * batches, as PyTorch's pinned-memory cache keeps them, up to {@link #MAX_CACHED_BYTES} in all.
 */
final class PinnedStaging {
    static final long MAX_CACHED_BYTES = 256L << 20;
    private static final long MIN_BUFFER_BYTES = 1 << 20;

    /** A staging buffer and the event recorded after its last copy. */
    private record Slot(ByteBuffer buffer, CudaEvent copied) {
    }

    private final CudaContext context;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>(); // oldest copy first
    private long cachedBytes;

    PinnedStaging(CudaContext context) {
        this.context = context;
    }

    /** Queues the copy of a host array (float[], double[], short[], long[] or bool as byte[]) of dtype to device address dst. */
    synchronized void upload(Object host, DType dtype, int n, long dst) {
        long bytes = (long) n * dtype.byteSize();
        ByteBuffer b = acquire(bytes);
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().put((float[]) host, 0, n);
            case FLOAT64 -> b.asDoubleBuffer().put((double[]) host, 0, n);
            case INT64 -> b.asLongBuffer().put((long[]) host, 0, n);
            case BFLOAT16, FLOAT16 -> b.asShortBuffer().put((short[]) host, 0, n);
            case BOOL -> b.put((byte[]) host, 0, n);
        }
        CudaStream stream = context.stream();
        context.api().copyToDeviceAsync(dst, b, bytes, stream.handle());
        slots.addLast(new Slot(b, new CudaEvent(context).record(stream)));
    }

    /** Bytes of staging buffers held now (in use or cached). */
    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** A cached buffer of at least {@code bytes} whose copy is done, else a new one (freeing the oldest beyond the cap). */
    private ByteBuffer acquire(long bytes) {
        for (Iterator<Slot> it = slots.iterator(); it.hasNext();) {
            Slot s = it.next();
            if (s.buffer.capacity() >= bytes && s.copied.isComplete()) {
                it.remove();
                s.copied.close();
                return s.buffer.clear();
            }
        }
        long size = Math.max(MIN_BUFFER_BYTES, Long.highestOneBit(Math.max(1, bytes - 1)) << 1);
        while (cachedBytes + size > MAX_CACHED_BYTES && !slots.isEmpty()) {
            Slot oldest = slots.removeFirst();
            oldest.copied.synchronize();
            oldest.copied.close();
            context.api().freePinned(oldest.buffer);
            cachedBytes -= oldest.buffer.capacity();
        }
        cachedBytes += size;
        return context.api().allocatePinned(size);
    }
}
