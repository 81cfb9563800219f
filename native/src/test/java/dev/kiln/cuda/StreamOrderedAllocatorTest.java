package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caching allocator hands a freed block to another stream only after that block's free events complete. */
class StreamOrderedAllocatorTest {
    private final FakeDeviceApi api = new FakeDeviceApi();
    private final CudaContext context = new CudaContext(Device.parse("cuda-emu:9"), api);
    private final CachingAllocator allocator = context.allocator();
    private final CudaStream s = new CudaStream(context, api.createStream());
    private final CudaStream t = new CudaStream(context, api.createStream());

    @Test
    void theSameStreamReusesAFreedBlockAtOnce() {
        long a = allocator.allocate(1000, s);
        api.busy = true;                                    // s's work on a is still running
        allocator.free(a, 1000, List.of(s));
        assertEquals(a, allocator.allocate(1024, s));       // same class (1024 B), ordered after that work by s
        assertEquals(new AllocatorStats(1024, 1024, 0, 2, 1), allocator.stats());
    }

    @Test
    void anotherStreamWaitsUntilTheEventShowsTheWorkPassed() {
        long a = allocator.allocate(1000, s);
        api.busy = true;
        allocator.free(a, 1000, List.of(s));
        long b = allocator.allocate(1000, t);               // s may still use a: t gets a new block
        assertNotEquals(a, b);
        assertEquals(new AllocatorStats(1024, 1024, 1024, 2, 2), allocator.stats());
        api.finishAll();                                    // s has passed its free event
        long c = allocator.allocate(1000, t);
        assertEquals(a, c);
        assertEquals(new AllocatorStats(2048, 2048, 0, 3, 2), allocator.stats());
    }

    @Test
    void aBlockUsedOnTwoStreamsWaitsForBoth() {
        long a = allocator.allocate(5000, s);
        api.busy = true;
        allocator.free(a, 5000, List.of(s, t));             // launched on t as well
        assertNotEquals(a, allocator.allocate(5000, s));   // t's work may still touch it, even for s
        api.finishAll();
        assertEquals(a, allocator.allocate(5000, s));
        assertEquals(new AllocatorStats(2 * 5120, 2 * 5120, 0, 3, 2), allocator.stats());
    }

    @Test
    void aClosedStreamNeedsNoEvent() {
        long a = allocator.allocate(1000, s);
        s.close();                                          // waits for s's work
        api.busy = true;
        allocator.free(a, 1000, List.of(s));
        assertEquals(a, allocator.allocate(1000, t));
    }

    @Test
    void emptyingTheCacheWaitsForPendingWorkAndFreesEverything() {
        long a = allocator.allocate(1000, s);
        api.busy = true;
        allocator.free(a, 1000, List.of(s));
        allocator.emptyCache();
        assertEquals(new AllocatorStats(0, 1024, 0, 1, 1), allocator.stats());
        assertNotEquals(a, allocator.allocate(1000, t));
    }
}
