package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.spi.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SM count and threads per SM the launchers size grids by, and the spec bandwidth, come from the device. */
class DeviceAttributesTest {
    @ParameterizedTest
    @MethodSource("dev.kiln.cuda.Target#all")
    void multiprocessorsComeFromTheDevice(Target target) {
        Device d = target.use();
        CudaBackend backend = (CudaBackend) Backends.of(d);
        DeviceApi api = backend.context().api();
        DeviceProperties p = backend.properties();
        assertEquals(api.multiprocessorCount(), p.multiprocessors());
        if (api instanceof EmuDeviceApi) {
            // cuda-emu reports an H100's, so grids are sized on it as on that GPU; no memory to specify
            assertEquals(132, api.multiprocessorCount());
            assertEquals(2048, api.maxThreadsPerMultiprocessor());
            assertEquals(0, p.specMemoryBandwidth());
        } else {
            assertTrue(api.multiprocessorCount() >= 1, api.name() + ": " + api.multiprocessorCount() + " SMs");
            assertTrue(api.maxThreadsPerMultiprocessor() >= api.maxThreadsPerBlock(),
                    api.name() + ": " + api.maxThreadsPerMultiprocessor() + " threads per SM");
            // from a few hundred GB/s (a laptop GPU) to ~8 TB/s (HBM3e)
            assertTrue(p.specMemoryBandwidth() > 1e11 && p.specMemoryBandwidth() < 2e13, p.toString());
        }
    }
}
