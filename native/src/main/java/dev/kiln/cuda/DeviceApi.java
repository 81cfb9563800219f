package dev.kiln.cuda;

/**
 * The driver-level operations of one device. There is one implementation per device kind (JCuda
 * for cuda, JNI for cuda-emu), so allocation, copies, grid arithmetic and argument packing above
 * this interface are the same code on both. Addresses are raw device addresses.
 */
interface DeviceApi {
    /** E.g. {@code cuda:0} or {@code cuda-emu:0}, for messages. */
    String name();

    /** A new block of {@code bytes}, or 0 when the device is out of memory. */
    long malloc(long bytes);

    void free(long address);

    /** Copies {@code bytes} from a primitive array, starting at byte {@code byteOffset}, to dst. */
    void copyToDevice(long dst, Object array, long byteOffset, long bytes);

    /** Copies {@code bytes} from src into a primitive array at byte {@code byteOffset}. */
    void copyToHost(Object array, long byteOffset, long src, long bytes);

    void memset(long dst, int value, long bytes);

    /** Kernel {@code name} of module {@code module} (a kernels/ family and dtype group); modules load once. */
    Kernel kernel(String module, String name);

    void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    /** Waits for all launched work (and reports its asynchronous errors). */
    void synchronize();

    int maxThreadsPerBlock();

    int maxSharedBytesPerBlock();
}
