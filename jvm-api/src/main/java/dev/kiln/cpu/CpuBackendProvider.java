package dev.kiln.cpu;

import dev.kiln.Device;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendProvider;

/** Registers the CPU backend with ServiceLoader. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public Device.Type deviceType() {
        return Device.Type.CPU;
    }

    @Override
    public Backend backend(Device device) {
        return CpuBackend.INSTANCE;
    }
}
