package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cuda.CachingAllocator;
import dev.kiln.cuda.CudaBackend;
import dev.kiln.cuda.CudaOutOfMemoryException;
import dev.kiln.cuda.Emulator;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.spi.Backends;
import dev.kiln.testing.TestDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Checkpoint.load promises an unchanged model when it fails: also when device memory runs out halfway. */
class CheckpointLoadAllOrNothingTest {
    @TempDir
    Path dir;

    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(64, 64, g), new Linear(64, 64, g), new Linear(64, 64, g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void outOfDeviceMemoryHalfway_leavesTheModelUnchanged(TestDevice target) throws IOException, InterruptedException {
        Device d = target.use();
        Assumptions.assumeTrue(d.type() == Device.Type.CUDA_EMU,
                "only the emulated device's memory can be capped (Emulator.setMemoryLimit)");
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(model(1), file);
        Sequential m = model(2);
        m.to(d);
        Map<String, Tensor> before = new LinkedHashMap<>();
        m.stateDict().forEach((k, t) -> before.put(k, t.to(Device.CPU)));
        CachingAllocator allocator = ((CudaBackend) Backends.of(d)).allocator();
        freeDroppedTensors(d);
        allocator.emptyCache();
        // room for the first layer's new weight and bias (16 KiB + 512 B blocks), not the second's
        Emulator.setMemoryLimit(d, allocator.stats().allocated() + 20_000);
        try {
            assertThrows(CudaOutOfMemoryException.class, () -> Checkpoint.load(m, file));
        } finally {
            Emulator.setMemoryLimit(d, Long.MAX_VALUE);
        }
        before.forEach((k, t) -> assertTrue(t.allclose(m.stateDict().get(k).to(Device.CPU), 0, 0), k + " was changed"));

        Checkpoint.load(m, file); // with memory, the same load succeeds
        model(1).stateDict().forEach((k, t) -> assertTrue(t.allclose(m.stateDict().get(k).to(Device.CPU), 0, 0), k));
    }

    /**
     * Frees the blocks of device tensors dropped earlier (here or by other tests in this JVM): out of
     * memory, the allocator collects them, which would give the load more room than the cap means.
     * A new storage frees what the collector has found so far.
     */
    private static void freeDroppedTensors(Device d) throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(20);
            Tensor.zeros(new int[] {1}, DType.FLOAT32, d).close();
        }
    }
}
