package dev.kiln.nn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Corrupt safetensors files that the reference reader (huggingface/safetensors, tensor.rs) rejects
 * are rejected here too, with the file and the tensor named; the valid corner cases still load.
 */
class SafeTensorsValidationTest {
    @TempDir
    Path dir;

    /** A file of the given header (raw bytes) and data bytes 0, 1, 2, ... */
    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        b.writeBytes(header);
        for (int i = 0; i < dataBytes; i++) {
            b.write(i);
        }
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.toByteArray());
        return f;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private static String rejected(Path f) {
        return assertThrows(CheckpointException.class, () -> SafeTensors.read(f)).getMessage();
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in: " + text);
        }
    }

    static Stream<Arguments> badLayouts() {
        return Stream.of(
                // (int) 4294967297 == 1: the old reader loaded this as shape [1]
                Arguments.of("int-overflowing dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967297],\"data_offsets\":[0,4]}}",
                        4, new String[] {"'a'", "dimension 0", "4294967297"}),
                Arguments.of("offsets near 2^63", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[9223372036854775800,9223372036854775804]}}", 4, new String[] {"'a'", "gap"}),
                Arguments.of("overlapping ranges", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, new String[] {"'b'", "overlap", "'a'"}),
                Arguments.of("identical ranges", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, new String[] {"overlap", "'a'", "'b'"}),
                Arguments.of("a gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, new String[] {"'b'", "gap of 4 bytes"}),
                Arguments.of("a gap at the start", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                        new String[] {"'a'", "gap of 4 bytes after the header"}),
                Arguments.of("trailing bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
                        new String[] {"4 trailing bytes"}),
                Arguments.of("end before begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4,
                        new String[] {"'a'", "[4, 0]"}),
                Arguments.of("metadata that is not a string map", "{\"__metadata__\":{\"format\":1},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, new String[] {"__metadata__"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLayouts")
    void badLayout_isRejected_namingTheFileAndTensor(String what, String header, int dataBytes, String[] expected)
            throws IOException {
        String m = rejected(file(header, dataBytes));
        assertContains(m, "bad.safetensors");
        assertContains(m, expected);
    }

    /** Each breaks one RFC 8259 rule in an otherwise valid one-tensor header; the old parser let each through. */
    static Stream<Arguments> lenientJson() {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        return Stream.of(
                Arguments.of("leading zero", ok.replace("[1]", "[01]").getBytes(StandardCharsets.UTF_8), "leading zero"),
                Arguments.of("a non-ASCII digit", ok.replace("[1]", "[\u0661]").getBytes(StandardCharsets.UTF_8), "U+0661"),
                Arguments.of("a raw control character in a key", ok.replace("\"a\"", "\"a\u0001\"").getBytes(StandardCharsets.UTF_8),
                        "control character"),
                Arguments.of("a sign in a \\u escape", ok.replace("\"a\"", "\"\\u+041\"").getBytes(StandardCharsets.UTF_8),
                        "four hex digits"),
                Arguments.of("a lone surrogate escape", ok.replace("\"a\"", "\"\\ud800\"").getBytes(StandardCharsets.UTF_8),
                        "lone high surrogate"),
                Arguments.of("vertical tab as whitespace", ok.replace(":{", ":\u000b{").getBytes(StandardCharsets.UTF_8), "U+000B"),
                Arguments.of("no-break space as whitespace", ok.replace(":{", ":\u00a0{").getBytes(StandardCharsets.UTF_8),
                        "U+00A0"),
                Arguments.of("invalid UTF-8", ok.replace("\"a\"", "\"a\u00ff\"").getBytes(StandardCharsets.ISO_8859_1),
                        "not valid UTF-8"),
                Arguments.of("a duplicate key", ("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                        + ok.substring(1)).getBytes(StandardCharsets.UTF_8), "duplicate key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lenientJson")
    void headerThatIsNotStrictJson_isRejected(String what, byte[] header, String expected) throws IOException {
        assertContains(rejected(file(header, 4)), "bad.safetensors", "corrupt header", expected);
    }

    @Test
    void deeplyNestedHeader_isRejected_notAStackOverflow() throws IOException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertContains(rejected(file("{\"__metadata__\":" + deep + "}", 0)), "bad.safetensors", "nesting deeper than 128");
    }

    @Test
    void headerOverTheFormatsLimit_isRejectedBeforeItIsRead() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        long length = Header.MAX_LENGTH + 1;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
            raf.setLength(8 + length); // sparse
        }
        assertContains(rejected(f), "bad.safetensors", "header length 100000001", "limit of 100000000");
    }

    @Test
    void validCornerCases_load() throws IOException {
        // spaces after the JSON (the format's padding), a metadata string map, empty tensors sharing an
        // offset, and a key written with an escaped surrogate pair (U+1F600)
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"e\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"\\ud83d\\ude00\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"BOOL\",\"shape\":[0],\"data_offsets\":[0,0]}}     ";
        Map<String, Tensor> m = SafeTensors.read(file(header, 8));
        assertEquals(3, m.size());
        assertArrayEquals(new int[] {0, 3}, m.get("e").shape());
        assertArrayEquals(new long[] {0x0706050403020100L}, m.get("\ud83d\ude00").toLongArray());
        assertEquals(Map.of("format", "pt"), SafeTensors.metadata(dir.resolve("bad.safetensors")));
    }

    @Test
    void metadata_roundTrips_beforeTheTensors() throws IOException {
        Path f = dir.resolve("meta.safetensors");
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("optimizer", "adam");
        meta.put("note \"quoted\"", "é\n");
        SafeTensors.write(f, Map.of("x", Tensor.of(1f, 2f)), meta);
        assertEquals(meta, SafeTensors.metadata(f));
        assertArrayEquals(new float[] {1f, 2f}, SafeTensors.read(f).get("x").toFloatArray());
        SafeTensors.write(f, Map.of("x", Tensor.of(1f)));
        assertEquals(Map.of(), SafeTensors.metadata(f));
    }

    /** A sparse file just over 2 GiB whose last tensor is cut short: read through long offsets, not into one array. */
    @Test
    void fileOver2GiB_isCheckedThroughLongOffsets() throws IOException {
        long big = 1L << 31;
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[536870912],\"data_offsets\":[0," + big + "]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        Path f = file(header, 0);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() + big + 4); // sparse: no disk blocks for the zeros
        }
        long dataStart = 8 + header.length();
        assertContains(rejected(f), "bad.safetensors", "'b'", "truncated", "ends at byte " + (dataStart + big + 8),
                "the file has " + (dataStart + big + 4));
    }
}
