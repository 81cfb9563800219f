package dev.kiln.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The emulated device: host memory, and the kernels compiled by g++ run as fibers (see cuda_emu.h). */
final class EmuDeviceApi implements DeviceApi {
    private final String name;
    private final Map<String, Long> modules = new ConcurrentHashMap<>();

    EmuDeviceApi(int index) {
        this.name = "cuda-emu:" + index;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long malloc(long bytes) {
        return EmuNative.malloc(bytes);
    }

    @Override
    public void free(long address) {
        EmuNative.free(address);
    }

    @Override
    public void copyToDevice(long dst, Object array, long byteOffset, long bytes) {
        EmuNative.copyFromArray(dst, array, byteOffset, bytes);
    }

    @Override
    public void copyToHost(Object array, long byteOffset, long src, long bytes) {
        EmuNative.copyToArray(array, byteOffset, src, bytes);
    }

    @Override
    public void memset(long dst, int value, long bytes) {
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
    public void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        EmuNative.launch((Long) kernel.handle(), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, args.packed(), args.sizes(), Emulator.order().ordinal(), Emulator.seed(), Emulator.workers());
    }

    @Override
    public void synchronize() {
        // Launches complete before they return.
    }

    @Override
    public int maxThreadsPerBlock() {
        return 1024;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return 48 * 1024;
    }
}
