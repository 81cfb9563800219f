package dev.kiln.spi;

import dev.kiln.DType;
import dev.kiln.Device;

/** A flat buffer of {@link #size()} elements of one dtype on one device, shared by tensor views. */
public interface Storage {
    DType dtype();

    Device device();

    /** Number of elements. */
    int size();

    /** Counts in-place writes, so autograd can refuse a backward that would read overwritten values. */
    int version();

    void bumpVersion();

    /**
     * Frees the buffer now (device memory goes back to its allocator); every view of it becomes
     * unusable. Idempotent. Buffers on the Java heap have nothing to free.
     */
    default void release() {
    }
}
