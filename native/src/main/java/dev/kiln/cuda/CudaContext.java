package dev.kiln.cuda;

import dev.kiln.Device;

/** One device: its driver API (JCuda or the emulator) and its caching allocator. */
final class CudaContext {
    private final Device device;
    private final DeviceApi api;
    private final CachingAllocator allocator;

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

    CachingAllocator allocator() {
        return allocator;
    }
}
