package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** to(device, true): staged through pinned buffers, the same values as a blocking copy, buffers reused. */
class NonBlockingCopyTest {
    @ParameterizedTest
    @MethodSource("dev.kiln.cuda.Target#all")
    void everyDtypeArrivesWhole(Target target) {
        Device d = target.use();
        Generator g = new Generator(5);
        Tensor f = Tensor.randn(g, 3, 1000);                                                  // (3, 1000) float32
        assertArrayEquals(f.toFloatArray(), f.to(d, true).toFloatArray());
        Tensor f64 = f.to(DType.FLOAT64).t();                                                 // a transposed view
        assertArrayEquals(f64.toDoubleArray(), f64.to(d, true).toDoubleArray());
        Tensor ints = Tensor.randperm(777, g);
        assertArrayEquals(ints.toLongArray(), ints.to(d, true).toLongArray());
        Tensor mask = f.gt(0);
        assertArrayEquals(mask.toBooleanArray(), mask.to(d, true).toBooleanArray());
        assertEquals(0, Tensor.zeros(0).to(d, true).numel());
    }

    /** The next kernel on the stream sees the copied values; a batch stream reuses the same buffers. */
    @ParameterizedTest
    @MethodSource("dev.kiln.cuda.Target#all")
    void batchesReuseTheStagingBuffers(Target target) {
        Device d = target.use();
        CudaBackend backend = (CudaBackend) Backends.of(d);
        Generator g = new Generator(6);
        long held = -1;
        for (int step = 0; step < 20; step++) {
            Tensor batch = Tensor.randn(g, 64, 784);                                          // 200 KB: a 1 MiB buffer
            Tensor onDevice = batch.to(d, true).mul(2);                                       // queued right behind the copy
            assertArrayEquals(batch.mul(2).toFloatArray(), onDevice.toFloatArray());
            if (step == 0) {
                held = backend.stagingBytes();
            }
        }
        assertTrue(held > 0 && held <= 2 << 20, "staging holds " + held + " bytes");
        assertEquals(held, backend.stagingBytes(), "steps after the first reuse its buffers");
        assertTrue(backend.stagingBytes() <= PinnedStaging.MAX_CACHED_BYTES);
    }
}
