package dev.kiln.cuda;

import dev.kiln.Device;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BackendProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Serves {@code cuda:i} through JCuda; without a usable GPU it throws, saying why. */
public final class CudaBackendProvider implements BackendProvider {
    private static final Map<Integer, CudaBackend> BACKENDS = new ConcurrentHashMap<>();

    @Override
    public Device.Type deviceType() {
        return Device.Type.CUDA;
    }

    @Override
    public Backend backend(Device device) {
        return BACKENDS.computeIfAbsent(device.index(),
                i -> new CudaBackend(new CudaContext(device, JCudaDeviceApi.open(i))));
    }
}
