package dev.kiln.nn.checkpoint;

import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes named tensors in the safetensors format: an 8-byte little-endian header length,
 * a JSON header {@code {name: {"dtype": "F32"|"F64"|"I64"|"BOOL", "shape": [...], "data_offsets": [begin, end]}}}
 * (offsets relative to the end of the header), then the raw little-endian data. Files are streamed
 * a chunk at a time (no size limit but the tensors'), checked as the reference reader checks them
 * (see {@link Header}), and written atomically (see {@link AtomicFile}).
 */
public final class SafeTensors {
    static final int CHUNK_BYTES = 1 << 20;

    private SafeTensors() {
    }

    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /** Writes the tensors with a {@code __metadata__} string map (left out when empty). */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, CHUNK_BYTES);
    }

    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, int chunkBytes)
            throws IOException {
        byte[] header = header(tensors, metadata);
        TensorBytes bytes = new TensorBytes(chunkBytes);
        AtomicFile.write(path, ch -> {
            FileIO.writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip());
            FileIO.writeFully(ch, ByteBuffer.wrap(header));
            for (Tensor t : tensors.values()) {
                bytes.write(ch, t);
            }
        });
    }

    /** The JSON header in UTF-8, padded with spaces so the data starts 8-byte aligned. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(Header.METADATA)).append(":{");
            metadata.forEach((k, v) -> json.append(json.charAt(json.length() - 1) == '{' ? "" : ",").append(Json.quote(k))
                    .append(':').append(Json.quote(v)));
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(Header.METADATA)) {
                throw new IllegalArgumentException("safetensors: " + Header.METADATA + " is reserved, not a tensor name");
            }
            Tensor t = e.getValue();
            long end = Math.addExact(offset, Math.multiplyExact((long) t.numel(), t.dtype().byteSize()));
            json.append(json.length() > 1 ? "," : "").append(Json.quote(e.getKey())).append(":{\"dtype\":\"")
                    .append(SafeTensorsDType.code(t.dtype())).append("\",\"shape\":[");
            for (int i = 0; i < t.dim(); i++) {
                json.append(i > 0 ? "," : "").append(t.size(i));
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        int utf8Length = json.toString().getBytes(StandardCharsets.UTF_8).length;
        json.append(" ".repeat((8 - utf8Length % 8) % 8));
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The file's {@code __metadata__} (empty when it has none); reads and checks the header only. */
    public static Map<String, String> metadata(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return Header.read(ch, path.getFileName().toString()).metadata();
        }
    }

    /** Reads every tensor, in header order, onto the CPU; a malformed file throws naming the file and key. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        return read(path, CHUNK_BYTES);
    }

    static Map<String, Tensor> read(Path path, int chunkBytes) throws IOException {
        String file = path.getFileName().toString();
        TensorBytes bytes = new TensorBytes(chunkBytes);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = Header.read(ch, file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Header.Entry e : h.entries()) {
                out.put(e.key(), bytes.read(ch, h.dataStart() + e.begin(), e.dtype(), e.shape()));
            }
            return out;
        }
    }
}
