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
        return BACKENDS.computeIfAbsent(device.index(), i -> new CudaBackend(new CudaContext(device, open(device, i))));
    }

    private static DeviceApi open(Device device, int index) {
        try {
            return JCudaDeviceApi.open(index);
        } catch (NoClassDefFoundError e) { // JCuda's classes are absent: an emulator-only install left it out
            throw new CudaUnavailableException(device + ": JCuda (org.jcuda:jcuda) is not on the class path; add it to"
                    + " use a GPU (cpu and cuda-emu do not need it)", e);
        }
    }
}
