package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad checkpoint files and mismatched models give errors naming the file and the key; writes are atomic. */
class CheckpointErrorsTest {
    @TempDir
    Path dir;

    private Path saved() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Checkpoint.save(new Sequential(new Linear(3, 2, new Generator(0))), file);
        return file;
    }

    private static String message(Path file, Sequential model) {
        return assertThrows(CheckpointException.class, () -> Checkpoint.load(model, file)).getMessage();
    }

    @Test
    void truncatedData_namesTheTensorAndTheSizes() throws IOException {
        Path file = saved();
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length - 4));
        String m = message(file, new Sequential(new Linear(3, 2, new Generator(0))));
        assertTrue(m.contains("m.safetensors") && m.contains("'0.bias'") && m.contains("truncated"), m);
    }

    @Test
    void truncatedHeader_saysSo() throws IOException {
        Path file = saved();
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 20));
        String m = message(file, new Sequential(new Linear(3, 2, new Generator(0))));
        assertTrue(m.contains("header length") && m.contains("truncated"), m);
    }

    @Test
    void corruptHeader_givesThePosition() throws IOException {
        Path file = saved();
        byte[] b = Files.readAllBytes(file);
        b[8] = 'x'; // the opening brace of the JSON header
        Files.write(file, b);
        String m = message(file, new Sequential(new Linear(3, 2, new Generator(0))));
        assertTrue(m.contains("corrupt header") && m.contains("position 0"), m);
    }

    @Test
    void wrongByteCountForTheShape_namesTheKey() throws IOException {
        Path file = saved();
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).replace("\"shape\":[2,3]", "\"shape\":[3,3]");
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        String m = message(file, new Sequential(new Linear(3, 2, new Generator(0))));
        assertTrue(m.contains("'0.weight'") && m.contains("hold 24 bytes") && m.contains("needs 36"), m);
    }

    @Test
    void missingAndUnexpectedKeys_areListed_andTheModelIsUnchanged() throws IOException {
        Path file = saved();
        Sequential other = new Sequential(new Linear(3, 2, new Generator(1)), new Linear(2, 2, new Generator(2)));
        Tensor before = other.stateDict().get("0.weight").clone();
        String m = message(file, other);
        assertTrue(m.contains("missing key(s) [1.weight, 1.bias]"), m);
        assertTrue(other.stateDict().get("0.weight").allclose(before, 0, 0), "nothing is loaded when a check fails");
        Map<String, Tensor> extra = new LinkedHashMap<>(new Sequential(new Linear(3, 2, new Generator(0))).stateDict());
        extra.put("0.scale", Tensor.zeros(1));
        Path f2 = dir.resolve("extra.safetensors");
        SafeTensors.write(f2, extra);
        String m2 = message(f2, new Sequential(new Linear(3, 2, new Generator(0))));
        assertTrue(m2.contains("unexpected key(s) [0.scale]"), m2);
    }

    @Test
    void shapeMismatch_namesTheKeyAndBothShapes() throws IOException {
        Path file = saved();
        String m = message(file, new Sequential(new Linear(4, 2, new Generator(0))));
        assertTrue(m.contains("size mismatch for 0.weight") && m.contains("[2, 3]") && m.contains("[2, 4]"), m);
    }

    @Test
    void overwrite_replacesTheFileAtomically_leavingNoTempFiles() throws IOException {
        Path file = saved();
        Checkpoint.save(new Sequential(new Linear(3, 2, new Generator(9))), file);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the checkpoint remains in the directory");
        }
        Sequential m = new Sequential(new Linear(3, 2, new Generator(0)));
        Checkpoint.load(m, file);
        assertTrue(m.stateDict().get("0.weight").allclose(
                new Sequential(new Linear(3, 2, new Generator(9))).stateDict().get("0.weight"), 0, 0));
    }
}
