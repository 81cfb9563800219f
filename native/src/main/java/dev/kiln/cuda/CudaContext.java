package dev.kiln.cuda;

import dev.kiln.Device;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One device: its driver API (JCuda or the emulator), its caching allocator and each thread's current stream. */
final class CudaContext {
    private final Device device;
    private final DeviceApi api;
    private final CachingAllocator allocator;
    private final CudaStream defaultStream = new CudaStream(this, null);
    private final ThreadLocal<CudaStream> current = ThreadLocal.withInitial(() -> defaultStream);
    /** module -> name -> kernel: each handle is looked up once (cuModuleGetFunction), not per launch. */
    private final Map<String, Map<String, Kernel>> kernels = new ConcurrentHashMap<>();

    CudaContext(Device device, DeviceApi api) {
        this.device = device;
        this.api = api;
        this.allocator = new CachingAllocator(api);
    }

    Device device() {
        return device;
    }

    DeviceApi api() {
        return api;
    }

    /** Kernel {@code name} of {@code module}, which must be in {@link KernelTable}; looked up on first use. */
    Kernel kernel(String module, String name) {
        return kernels.computeIfAbsent(module, m -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
            KernelTable.require(module, n);
            return api.kernel(module, n);
        });
    }

    CachingAllocator allocator() {
        return allocator;
    }

    /** The calling thread's stream on this device. */
    CudaStream stream() {
        return current.get();
    }

    CudaStream defaultStream() {
        return defaultStream;
    }

    CudaStream.Use use(CudaStream stream) {
        requireSame("use", stream.context());
        CudaStream previous = current.get();
        current.set(stream);
        return () -> current.set(previous);
    }

    /** Streams and events work only with those of their own device. */
    void requireSame(String op, CudaContext other) {
        if (other != this) {
            throw new IllegalArgumentException(op + ": a stream or event of " + other.device + " used with one of " + device);
        }
    }
}
