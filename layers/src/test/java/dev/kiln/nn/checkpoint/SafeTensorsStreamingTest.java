package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.testing.TestDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tensors go to and from the file a bounded chunk at a time (how a tensor of 2 GiB or more is
 * written and read): with chunks far smaller than the tensors, so each crosses many chunk borders
 * at offsets that are not multiples of the chunk, every byte still lands in its place.
 */
class SafeTensorsStreamingTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> tensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.randn(new Generator(1), 5, 7));                                   // 140 B
        m.put("bool", Tensor.rand(new Generator(2), 13).gt(0.5));                               // 13 B: later data unaligned
        m.put("f64", Tensor.randn(new Generator(3), 9).to(DType.FLOAT64));                      // 72 B
        m.put("i64", Tensor.fromArray(new long[] {Long.MIN_VALUE, -1, 1L << 40}, 3));           // 24 B
        m.put("t", Tensor.randn(new Generator(4), 4, 6).transpose(0, 1));                       // not contiguous
        return m;
    }

    @Test
    void smallChunks_writeTheSameBytes_andReadBackExactly() throws IOException {
        Map<String, Tensor> m = tensors();
        Path whole = dir.resolve("whole.safetensors");
        Path chunked = dir.resolve("chunked.safetensors");
        SafeTensors.write(whole, m);
        SafeTensors.write(chunked, m, Map.of(), 16);
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(chunked));
        for (int chunk : new int[] {8, 24, SafeTensors.CHUNK_BYTES}) {
            Map<String, Tensor> r = SafeTensors.read(chunked, chunk);
            assertEquals(m.keySet(), r.keySet());
            m.forEach((k, t) -> {
                assertEquals(t.dtype(), r.get(k).dtype(), k);
                assertArrayEquals(t.shape(), r.get(k).shape(), k);
            });
            assertArrayEquals(m.get("f32").toFloatArray(), r.get("f32").toFloatArray());
            assertArrayEquals(m.get("bool").toBooleanArray(), r.get("bool").toBooleanArray());
            assertArrayEquals(m.get("f64").toDoubleArray(), r.get("f64").toDoubleArray());
            assertArrayEquals(m.get("i64").toLongArray(), r.get("i64").toLongArray());
            assertArrayEquals(m.get("t").contiguous().toFloatArray(), r.get("t").toFloatArray());
        }
    }

    /** Device tensors stream out through the same chunks, and a model saved on a device loads on it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void deviceTensors_streamOut_andLoadBack(TestDevice target) throws IOException {
        Device d = target.use();
        Map<String, Tensor> onDevice = new LinkedHashMap<>();
        tensors().forEach((k, t) -> onDevice.put(k, t.to(d)));
        Path file = dir.resolve("device.safetensors");
        SafeTensors.write(file, onDevice, Map.of(), 16);
        Map<String, Tensor> r = SafeTensors.read(file, 24);
        assertArrayEquals(onDevice.get("t").to(Device.CPU).contiguous().toFloatArray(), r.get("t").toFloatArray());
        assertArrayEquals(onDevice.get("bool").to(Device.CPU).toBooleanArray(), r.get("bool").toBooleanArray());

        Sequential saved = new Sequential(new Linear(5, 3, new Generator(7)), new BatchNorm1d(3));
        saved.to(d);
        Checkpoint.save(saved, file);
        Sequential loaded = new Sequential(new Linear(5, 3, new Generator(8)), new BatchNorm1d(3));
        loaded.to(d);
        Checkpoint.load(loaded, file);
        saved.stateDict().forEach((k, t) -> {
            assertEquals(d, loaded.stateDict().get(k).device(), k);
            assertArrayEquals(t.to(Device.CPU).toDoubleArray(), loaded.stateDict().get(k).to(Device.CPU).toDoubleArray(), k);
        });
    }
}
