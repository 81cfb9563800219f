package dev.kiln.cuda;

import dev.kiln.Device;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves {@code cuda-emu:i}: the CUDA backend on the emulated device (see {@link Emulator}). */
public final class CudaEmuBackendProvider implements BackendProvider {
    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    @Override
    public Device.Type deviceType() {
        return Device.Type.CUDA_EMU;
    }

    @Override
    public Backend backend(Device device) {
        return BACKENDS.computeIfAbsent(device.index(), i -> new CudaBackend(new CudaContext(device, new EmuDeviceApi(i))));
    }
}
