package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The caching allocator, freeing on close / scope, missing primitives and an absent GPU on cuda-emu. */
class DeviceMemoryTest {
    // Each test that reads statistics has a device (and so an allocator) of its own: a tensor another
    // test left to the collector could otherwise be freed in the middle of the measurement.
    private final Device emu3 = Device.parse("cuda-emu:3");

    private static CachingAllocator allocator(Device device) {
        return ((CudaBackend) Backends.of(device)).allocator();
    }

    @Test
    void closedTensorsAreCachedAndReused() {
        Device emu = Device.parse("cuda-emu:4");
        AllocatorStats before = allocator(emu).stats();
        Tensor a = Tensor.zeros(new int[] {1000}, DType.FLOAT32, emu);   // 4000 B -> a 4096 B block
        AllocatorStats live = allocator(emu).stats();
        assertEquals(before.allocated() + 4096, live.allocated());
        assertTrue(live.peak() >= live.allocated());
        a.close();
        AllocatorStats closed = allocator(emu).stats();
        assertEquals(before.allocated(), closed.allocated());
        assertEquals(before.cached() + 4096, closed.cached());
        Tensor b = Tensor.zeros(new int[] {1020}, DType.FLOAT32, emu);   // same size class: reused
        AllocatorStats reused = allocator(emu).stats();
        assertEquals(closed.deviceMallocs(), reused.deviceMallocs());
        assertEquals(closed.allocations() + 1, reused.allocations());
        b.close();
        allocator(emu).emptyCache();
        assertEquals(0, allocator(emu).stats().cached());
    }

    @Test
    void aScopeFreesWhatWasMadeInsideExceptWhatItKeeps() {
        Device emu = Device.parse("cuda-emu:5");
        long before = allocator(emu).stats().allocated();
        Tensor kept;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.ones(new int[] {64, 33}, DType.FLOAT64, emu);
            Tensor y = x.mul(2).add(1);
            kept = scope.keep(y.sum(new int[] {1}, false));
        }
        assertEquals(before + CachingAllocator.sizeClass(64 * 8), allocator(emu).stats().allocated());
        assertEquals(64 * 3.0 * 33 / 64, kept.mean().item(), 0);
        kept.close();
    }

    @Test
    void droppedTensorsAreCollectedWhenTheDeviceIsFull() {
        Device emu = Device.parse("cuda-emu:8");                          // its own allocator and memory limit
        Emulator.setMemoryLimit(emu, 256 * 1024);
        try {
            // 100 tensors of 64 KiB, 25 times the device's 256 KiB, none closed: only the collector finds them.
            for (int i = 0; i < 100; i++) {
                Tensor t = Tensor.full(new int[] {16 * 1024}, i, DType.FLOAT32, emu);
                assertEquals(i, t.toFloatArray()[16 * 1024 - 1]);
            }
            assertTrue(allocator(emu).stats().allocated() <= 256 * 1024, allocator(emu).stats().toString());
        } finally {
            Emulator.setMemoryLimit(emu, Long.MAX_VALUE);
        }
    }

    @Test
    void aClosedTensorCannotBeRead() {
        Tensor x = Tensor.ones(new int[] {3}, DType.FLOAT32, emu3);
        x.close();
        x.close();  // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, x::toFloatArray);
        assertTrue(e.getMessage().contains("was used after it was closed"), e.getMessage());
    }

    @Test
    void aDtypeWithoutAKernelIsNamedWithTheOpAndTheBackend() {
        Tensor a = Tensor.zeros(new int[] {2, 3}, DType.INT64, emu3);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> tensor(Backends.of(emu3).softmax(nd(a), 1)));
        assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("cuda-emu")
                && e.getMessage().contains("int64"), e.getMessage());
        a.close();
    }

    @Test
    void withoutAGpuCudaSaysWhy() {
        Assumptions.assumeFalse(Backends.isAvailable(Device.Type.CUDA, 0), "a GPU is present: nothing to report");
        // Device.cuda() itself throws the backend's reason, before any tensor is made.
        RuntimeException e = assertThrows(RuntimeException.class, Device::cuda);
        assertTrue(e instanceof CudaUnavailableException, e.toString());
        assertTrue(assertThrows(CudaUnavailableException.class, () -> Device.parse("cuda")).getMessage().startsWith("cuda:0: "));
        assertTrue(e.getMessage().startsWith("cuda:0: "), e.getMessage());
        assertTrue(e.getMessage().contains("libcuda.so.1") || e.getMessage().contains("no GPU")
                || e.getMessage().contains("driver"), e.getMessage());
    }
}
