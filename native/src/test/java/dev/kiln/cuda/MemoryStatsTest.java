package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.MemoryStats;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Device.memoryStats(): the public counters, without a cast to a backend class. */
class MemoryStatsTest {
    @Test
    void emulatedDeviceCountsLiveCachedAndPeakBytes() {
        Device emu = Device.parse("cuda-emu:6");
        MemoryStats before = emu.memoryStats();
        Tensor t = Tensor.zeros(new int[] {1024}, DType.FLOAT64, emu);
        MemoryStats holding = emu.memoryStats();
        assertEquals(before.allocatedBytes() + CachingAllocator.sizeClass(1024 * 8), holding.allocatedBytes());
        assertEquals(before.allocations() + 1, holding.allocations());
        assertTrue(holding.peakBytes() >= holding.allocatedBytes());
        t.close();
        MemoryStats after = emu.memoryStats();
        assertEquals(before.allocatedBytes(), after.allocatedBytes());
        assertTrue(after.cachedBytes() >= CachingAllocator.sizeClass(1024 * 8), after.toString());
        assertEquals(holding.peakBytes(), after.peakBytes());
    }

    @Test
    void cpuReportsTheHeapAndCountsStorages() {
        MemoryStats before = Device.CPU.memoryStats();
        Tensor.zeros(8);
        MemoryStats after = Device.CPU.memoryStats();
        assertTrue(after.allocations() > before.allocations());
        assertTrue(after.allocatedBytes() > 0 && after.peakBytes() >= after.allocatedBytes() && after.cachedBytes() >= 0,
                after.toString());
    }
}
