package dev.kiln.cuda;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emulated device: host memory, and the kernels compiled by g++ run as fibers (see cuda_emu.h).
 * Every operation completes before it returns, so each stream runs in issue order on the host and an
 * event is complete as soon as it is recorded; it holds the host time of its recording.
 */
final class EmuDeviceApi implements DeviceApi {
    private final String name;
    private final Map<String, Long> modules = new ConcurrentHashMap<>();
    private final Map<Long, Long> blocks = new HashMap<>();
    private long memoryLimit = Long.MAX_VALUE;
    private long used;

    /** A recorded event: when, on the host, it was recorded (0 before its first recording). */
    private static final class Event {
        final boolean timing;
        long nanos;

        Event(boolean timing) {
            this.timing = timing;
        }
    }

    /** Refuses, saying why, when kiln-native was built without the C++ toolchain that builds the emulator. */
    EmuDeviceApi(int index) {
        this.name = "cuda-emu:" + index;
        if (EmuDeviceApi.class.getResource(EmuNative.RESOURCES + EmuNative.LIBRARY) == null) {
            throw new CudaUnavailableException(name + ": the emulated device is not in this kiln-native jar (it was built"
                    + " where g++ or make was missing); cpu and cuda do not need it", null);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Device memory beyond which {@link #malloc} fails as a full GPU would (to test out-of-memory handling). */
    synchronized void setMemoryLimit(long bytes) {
        memoryLimit = bytes;
    }

    @Override
    public synchronized long malloc(long bytes) {
        if (bytes > memoryLimit - used) {
            return 0;
        }
        long address = EmuNative.malloc(bytes);
        if (address != 0) {
            blocks.put(address, bytes);
            used += bytes;
        }
        return address;
    }

    @Override
    public synchronized void free(long address) {
        used -= blocks.remove(address);
        EmuNative.free(address);
    }

    @Override
    public void copyToDevice(long dst, Object array, long byteOffset, long bytes, Object stream) {
        EmuNative.copyFromArray(dst, array, byteOffset, bytes);
    }

    @Override
    public void copyToHost(Object array, long byteOffset, long src, long bytes, Object stream) {
        EmuNative.copyToArray(array, byteOffset, src, bytes);
    }

    @Override
    public void memset(long dst, int value, long bytes, Object stream) {
        EmuNative.memset(dst, value, bytes);
    }

    @Override
    public Kernel kernel(String module, String kernelName) {
        long m = modules.computeIfAbsent(module, EmuNative::loadModule);
        return new Kernel(module, kernelName, EmuNative.function(m, kernelName));
    }

    /** The kernel's parameter list as compiled, e.g. {@code f(const float*, int)}. */
    String signature(Kernel kernel) {
        return EmuNative.signature((Long) kernel.handle());
    }

    @Override
    public void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args, Object stream) {
        EmuNative.launch((Long) kernel.handle(), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, args.packed(), args.sizes(), Emulator.order().ordinal(), Emulator.seed(), Emulator.workers());
    }

    @Override
    public void synchronize() {
        // Launches complete before they return.
    }

    @Override
    public Object createStream() {
        return new Object();
    }

    @Override
    public void destroyStream(Object stream) {
        // Nothing is held for a stream.
    }

    @Override
    public void synchronizeStream(Object stream) {
        // Its work has completed already.
    }

    @Override
    public Object createEvent(boolean timing) {
        return new Event(timing);
    }

    @Override
    public void destroyEvent(Object event) {
        // Garbage collected.
    }

    @Override
    public void recordEvent(Object event, Object stream) {
        ((Event) event).nanos = System.nanoTime();
    }

    @Override
    public void streamWaitEvent(Object stream, Object event) {
        // The recorded work has completed already.
    }

    @Override
    public boolean eventComplete(Object event) {
        return true;
    }

    @Override
    public void synchronizeEvent(Object event) {
        // Complete when recorded.
    }

    @Override
    public float elapsedMillis(Object start, Object end) {
        Event a = (Event) start;
        Event b = (Event) end;
        if (!a.timing || !b.timing) {
            throw new IllegalStateException(name + ": elapsed time of an event created without timing");
        }
        return (b.nanos - a.nanos) / 1e6f;
    }

    @Override
    public int maxThreadsPerBlock() {
        return 1024;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return 48 * 1024;
    }

    /** An H100's, so the launchers size their grids on cuda-emu as on the GPU Kiln is tuned for. */
    @Override
    public int multiprocessorCount() {
        return 132;
    }

    @Override
    public int maxThreadsPerMultiprocessor() {
        return 2048;
    }
}
