package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.DeviceProperties;
import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SM count and threads per SM the launchers size grids by, and the spec peaks, come from the device. */
class DeviceAttributesTest {
    @ParameterizedTest
    @MethodSource("dev.kiln.cuda.Target#all")
    void multiprocessorsComeFromTheDevice(Target target) {
        Device d = target.use();
        CudaBackend backend = (CudaBackend) Backends.of(d);
        DeviceApi api = backend.context().api();
        DeviceProperties p = d.properties();
        assertEquals(api.multiprocessorCount(), p.multiprocessors());
        if (api instanceof EmuDeviceApi) {
            // cuda-emu reports an H100's, so grids are sized on it as on that GPU; no memory to specify
            assertEquals(132, api.multiprocessorCount());
            assertEquals(2048, api.maxThreadsPerMultiprocessor());
            assertEquals(0, p.specMemoryBandwidth());
            assertEquals(0, p.specFloat32Flops());
        } else {
            assertTrue(api.multiprocessorCount() >= 1, api.name() + ": " + api.multiprocessorCount() + " SMs");
            assertTrue(api.maxThreadsPerMultiprocessor() >= api.maxThreadsPerBlock(),
                    api.name() + ": " + api.maxThreadsPerMultiprocessor() + " threads per SM");
            // from a few hundred GB/s (a laptop GPU) to ~8 TB/s (HBM3e)
            assertTrue(p.specMemoryBandwidth() > 1e11 && p.specMemoryBandwidth() < 2e13, p.toString());
            // from ~10 TFLOP/s (a small sm_86 part) to ~80 TFLOP/s (B200) in float32, without tensor cores
            assertTrue(p.specFloat32Flops() > 5e12 && p.specFloat32Flops() < 2e14, p.toString());
        }
    }

    /** The float32 peak's lanes per SM, against the data sheets: A100 19.5 TFLOP/s, H100 SXM 67 TFLOP/s, L4 30 TFLOP/s. */
    @Test
    void float32LanesFollowTheComputeCapability() {
        assertEquals(19.5e12, 2.0 * 108 * JCudaDeviceApi.float32LanesPerMultiprocessor(8, 0) * 1.41e9, 0.1e12);
        assertEquals(67e12, 2.0 * 132 * JCudaDeviceApi.float32LanesPerMultiprocessor(9, 0) * 1.98e9, 0.2e12);
        assertEquals(30.3e12, 2.0 * 58 * JCudaDeviceApi.float32LanesPerMultiprocessor(8, 9) * 2.04e9, 0.3e12);
    }
}
