package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails halfway leaves the old file whole and no temp file; a killed write's temp files can be cleaned. */
class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void failureHalfway_leavesTheOldContent_andNoTempFile() throws IOException {
        Path f = dir.resolve("metrics.csv");
        AtomicFile.write(f, new byte[] {1, 2, 3});
        IOException boom = new IOException("disk full");
        assertEquals(boom, assertThrows(IOException.class, () -> AtomicFile.write(f, ch -> {
            ch.write(ByteBuffer.wrap(new byte[] {9, 9}));
            throw boom;
        })));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("metrics.csv"), names());
    }

    @Test
    void deleteStale_removesOnlyThatTargetsTempFiles() throws IOException {
        Path f = dir.resolve("checkpoint.safetensors");
        // names as Files.createTempFile makes them, for this target, another target and a user's own file
        for (String name : List.of("checkpoint.safetensors123.tmp", "checkpoint.safetensors-45.tmp", "metrics.csv77.tmp",
                "checkpoint.safetensors.notes.tmp", "checkpoint.safetensors")) {
            Files.write(dir.resolve(name), new byte[] {0});
        }
        AtomicFile.deleteStale(f);
        assertEquals(List.of("checkpoint.safetensors", "checkpoint.safetensors.notes.tmp", "metrics.csv77.tmp"), names());
    }
}
