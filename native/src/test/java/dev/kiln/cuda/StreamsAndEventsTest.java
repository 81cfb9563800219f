package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Streams and events on cuda-emu and cuda: ordering within a stream, across streams by events, and timing. */
class StreamsAndEventsTest {
    static java.util.stream.Stream<Target> targets() {
        return Target.all();
    }

    private static CudaBackend backend(Device device) {
        return (CudaBackend) Backends.of(device);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void workOnAStreamRunsInIssueOrderAndAnotherStreamWaitsForAnEvent(Target target) {
        Device dev = target.use();
        CudaBackend b = backend(dev);
        try (CudaStream s = b.newStream(); CudaStream t = b.newStream(); CudaEvent done = b.newEvent()) {
            CudaStream before = b.currentStream();
            Tensor y;
            try (CudaStream.Use u = s.use()) {
                assertSame(s, b.currentStream());
                Tensor x = Tensor.of(1f, 2f, 3f).to(dev);           // copy, then two launches, all on s
                y = x.mul(2).add(1);
                done.record();
            }
            assertSame(before, b.currentStream());                   // the scope restored the thread's stream
            try (CudaStream.Use u = t.use()) {
                t.waitFor(done);                                     // t's launches start after s reached done
                assertArrayEquals(new float[] {9, 15, 21}, y.mul(3).toFloatArray());
            }
            s.synchronize();
            assertTrue(done.isComplete());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void eventsRecordedAroundWorkMeasureItInOrder(Target target) {
        Device dev = target.use();
        CudaBackend b = backend(dev);
        try (CudaStream s = b.newStream(); CudaEvent start = b.newEvent(); CudaEvent end = b.newEvent();
             CudaStream.Use u = s.use()) {
            Tensor x = Tensor.ones(new int[] {256, 256}, DType.FLOAT32, dev);
            start.record(s);
            Tensor y = x.exp().sum(new int[] {1}, false);
            end.record(s);
            float ms = start.elapsedMillis(end);                     // waits for end
            assertTrue(end.isComplete());
            assertTrue(ms >= 0 && Float.isFinite(ms), "end was recorded after start: " + ms);
            assertEquals(256 * Math.E, y.toFloatArray()[7], 1e-3);
        }
    }

    @Test
    void misuseIsAnErrorThatSaysWhat() {
        CudaBackend b = backend(Device.parse("cuda-emu:0"));
        CudaBackend other = backend(Device.parse("cuda-emu:1"));
        try (CudaEvent start = b.newEvent(); CudaEvent end = b.newEvent(); CudaEvent foreign = other.newEvent()) {
            end.record();
            assertTrue(assertThrows(IllegalStateException.class, () -> start.elapsedMillis(end)).getMessage()
                    .contains("start event was never recorded"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> start.elapsedMillis(foreign)).getMessage()
                    .contains("cuda-emu:1"));
            CudaStream s = b.newStream();
            s.close();
            assertTrue(assertThrows(IllegalStateException.class, () -> end.record(s)).getMessage().contains("closed"));
            assertThrows(IllegalStateException.class, s::use);
            assertTrue(assertThrows(IllegalStateException.class, () -> b.currentStream().close()).getMessage()
                    .contains("default stream cannot be closed"));
            try (CudaStream t = other.newStream()) {
                assertThrows(IllegalArgumentException.class, () -> t.waitFor(start));
            }
        }
    }
}
