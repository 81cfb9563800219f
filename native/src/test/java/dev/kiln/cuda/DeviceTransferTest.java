package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tensor.to between the CPU and a device for every dtype (bfloat16 and float16 too), and out-of-memory on a small emulated device. */
class DeviceTransferTest {
    static Stream<Arguments> targetsAndDtypes() {
        return Target.all().flatMap(t -> Stream.of(DType.values()).map(d -> Arguments.of(t, d)));
    }

    /** (2, 3) values of the dtype, distinct per element (bool: alternating). */
    private static Tensor sample(DType dtype) {
        switch (dtype) {
            case FLOAT32: return Tensor.fromArray(new float[] {1.5f, -2f, 0f, Float.MAX_VALUE, -0.25f, 7f}, 2, 3);
            case FLOAT64: return Tensor.fromArray(new double[] {1e-300, -2, 0, Double.MAX_VALUE, -0.25, Math.PI}, 2, 3);
            case INT64: return Tensor.fromArray(new long[] {Long.MIN_VALUE, -1, 0, 1, 1L << 40, Long.MAX_VALUE}, 2, 3);
            case BFLOAT16: case FLOAT16:   // NaN, -0, a subnormal float16, the largest float16
                return Tensor.fromArray(new float[] {1.5f, Float.NaN, -0f, 6e-8f, 65504f, Float.NEGATIVE_INFINITY}, 2, 3).to(dtype);
            default: return Tensor.fromArray(new boolean[] {true, false, true, true, false, false}, 2, 3);
        }
    }

    private static Object values(Tensor t) {
        switch (t.dtype()) {
            case FLOAT32: return t.toFloatArray();
            case FLOAT64: return t.toDoubleArray();
            case INT64: return t.toLongArray();
            case BFLOAT16: case FLOAT16: return t.toFloatArray();
            default: return t.toBooleanArray();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndDtypes")
    void toTheDeviceAndBackKeepsEveryValueAndView(Target target, DType dtype) {
        Device dev = target.use();
        Tensor host = sample(dtype);
        Tensor onDevice = host.to(dev);
        assertEquals(dev, onDevice.device());
        assertEquals(dtype, onDevice.dtype());
        Tensor back = onDevice.to(Device.CPU);
        assertEquals(Device.CPU, back.device());
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertEquals(java.util.Arrays.deepToString(new Object[] {values(host)}),
                java.util.Arrays.deepToString(new Object[] {values(back)}));
        // A transposed view travels as its values in its own order, both ways.
        Tensor hostT = host.t();
        assertEquals(java.util.Arrays.deepToString(new Object[] {values(hostT.contiguous())}),
                java.util.Arrays.deepToString(new Object[] {values(onDevice.t().to(Device.CPU))}));
        assertEquals(java.util.Arrays.deepToString(new Object[] {values(hostT.contiguous())}),
                java.util.Arrays.deepToString(new Object[] {values(hostT.to(dev).to(Device.CPU))}));
        onDevice.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndDtypes")
    void copyIntoAViewAcrossDevicesMovesTheSourceFirst(Target target, DType dtype) {
        Device dev = target.use();
        Tensor host = sample(dtype);                                        // (2, 3)
        Tensor onDevice = Tensor.zeros(new int[] {3, 2}, dtype, dev);
        onDevice.t().copy_(host);                                           // cpu -> a device view
        assertEquals(java.util.Arrays.deepToString(new Object[] {values(host)}),
                java.util.Arrays.deepToString(new Object[] {values(onDevice.t().to(Device.CPU))}));
        Tensor back = Tensor.zeros(new int[] {2, 3}, dtype, Device.CPU);
        back.copy_(onDevice.t());                                           // a device view -> cpu
        assertEquals(java.util.Arrays.deepToString(new Object[] {values(host)}),
                java.util.Arrays.deepToString(new Object[] {values(back)}));
    }

    @Test
    void outOfMemoryEmptiesTheCacheRetriesThenSaysWhatWasAskedAndWhatIsInUse() {
        Device emu = Device.parse("cuda-emu:7");                          // its own allocator and memory limit
        CachingAllocator allocator = ((CudaBackend) Backends.of(emu)).allocator();
        Emulator.setMemoryLimit(emu, 64 * 1024);
        Tensor a = Tensor.zeros(new int[] {8 * 1024}, DType.FLOAT32, emu);  // 32 KiB
        a.close();                                                          // cached
        AllocatorStats cachedA = allocator.stats();
        assertEquals(32 * 1024, cachedA.cached());
        // 48 KiB does not fit beside the cached 32 KiB: the cache is emptied and the retry succeeds.
        Tensor b = Tensor.zeros(new int[] {12 * 1024}, DType.FLOAT32, emu);
        AllocatorStats afterRetry = allocator.stats();
        assertEquals(0, afterRetry.cached());
        assertEquals(48 * 1024, afterRetry.allocated());
        assertEquals(cachedA.deviceMallocs() + 1, afterRetry.deviceMallocs());
        // 32 KiB more does not fit beside the live 48 KiB even with an empty cache.
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> Tensor.zeros(new int[] {8 * 1024}, DType.FLOAT32, emu));
        assertTrue(e.getMessage().startsWith("cuda-emu:7: out of memory allocating 32768 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("49152 bytes are in use"), e.getMessage());
        assertEquals(afterRetry.allocated(), allocator.stats().allocated());   // the failure left nothing behind
        b.close();
        // b's 48 KiB is cached, not of c's class: c fits only after the cache is emptied again.
        Tensor c = Tensor.zeros(new int[] {8 * 1024}, DType.FLOAT32, emu);
        assertEquals(32 * 1024, allocator.stats().allocated());
        assertEquals(0, allocator.stats().cached());
        c.close();
        Emulator.setMemoryLimit(emu, Long.MAX_VALUE);
    }
}
