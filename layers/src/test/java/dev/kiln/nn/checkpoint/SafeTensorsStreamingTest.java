package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
