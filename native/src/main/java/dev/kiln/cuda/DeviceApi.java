package dev.kiln.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The driver-level operations of one device. There is one implementation per device kind (JCuda
 * for cuda, JNI for cuda-emu), so allocation, copies, grid arithmetic and argument packing above
 * this interface are the same code on both. Addresses are raw device addresses. Streams and events
 * are opaque handles from {@link #createStream} and {@link #createEvent}; the stream {@code null}
 * is the default (legacy) stream. Work on one stream runs in issue order; copies to and from Java
 * arrays return once the copy is done, after the stream's earlier work.
 */
interface DeviceApi {
    /** E.g. {@code cuda:0} or {@code cuda-emu:0}, for messages. */
    String name();

    /** A new block of {@code bytes}, or 0 when the device is out of memory. */
    long malloc(long bytes);

    void free(long address);

    /** Copies {@code bytes} from a primitive array or a direct ByteBuffer, from byte {@code byteOffset}, to dst. */
    void copyToDevice(long dst, Object array, long byteOffset, long bytes, Object stream);

    /** Copies {@code bytes} from src into a primitive array or a direct ByteBuffer at byte {@code byteOffset}. */
    void copyToHost(Object array, long byteOffset, long src, long bytes, Object stream);

    /**
     * Page-locked host memory of {@code bytes} (native byte order), from which the device copies without
     * staging it again; a plain direct buffer where host memory cannot be pinned (the emulator).
     */
    default ByteBuffer allocatePinned(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    /** Gives back a buffer of {@link #allocatePinned} whose copies are done. */
    default void freePinned(ByteBuffer buffer) {
    }

    /**
     * Queues a copy of {@code bytes} from the start of a pinned buffer to dst on the stream and returns at once
     * (the buffer must stay untouched until the stream passes it); where copies cannot be queued, it is done here.
     */
    default void copyToDeviceAsync(long dst, ByteBuffer pinned, long bytes, Object stream) {
        copyToDevice(dst, pinned, 0, bytes, stream);
    }

    void memset(long dst, int value, long bytes, Object stream);

    /** Kernel {@code name} of module {@code module} (a kernels/ family and dtype group); modules load once. */
    Kernel kernel(String module, String name);

    void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args, Object stream);

    /** Waits for all launched work on every stream (and reports its asynchronous errors). */
    void synchronize();

    Object createStream();

    /** Destroys a stream whose work has completed. */
    void destroyStream(Object stream);

    /** Waits for the stream's work so far. */
    void synchronizeStream(Object stream);

    /** An event; without {@code timing} it only marks progress (cheaper on a GPU). */
    Object createEvent(boolean timing);

    void destroyEvent(Object event);

    /** Marks the point the stream has reached: the event completes once the stream's earlier work has. */
    void recordEvent(Object event, Object stream);

    /** Makes the stream's later work wait until the event completes (the host does not wait). */
    void streamWaitEvent(Object stream, Object event);

    /** Whether the work before the event's last recording has completed. */
    boolean eventComplete(Object event);

    void synchronizeEvent(Object event);

    /** Milliseconds between two recorded timing events (GPU time, not host time). */
    float elapsedMillis(Object start, Object end);

    int maxThreadsPerBlock();

    int maxSharedBytesPerBlock();

    /** Streaming multiprocessors: a grid of fewer blocks leaves part of the device idle. */
    int multiprocessorCount();

    /** Threads resident on one multiprocessor at most. */
    int maxThreadsPerMultiprocessor();

    /** The memory bandwidth of the device's specification in bytes per second, 0 where unknown. */
    default double specMemoryBandwidth() {
        return 0;
    }

    /** The float32 FLOP/s of the device's specification (fused multiply-adds at the boost clock), 0 where unknown. */
    default double specFloat32Flops() {
        return 0;
    }
}
