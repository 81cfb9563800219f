package dev.kiln.nn.checkpoint;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes named tensors in the safetensors format: an 8-byte little-endian header length,
 * a JSON header {@code {name: {"dtype": "F32"|"F64"|"I64"|"BOOL", "shape": [...], "data_offsets": [begin, end]}}}
 * (offsets relative to the end of the header), then the raw little-endian data. Writes are atomic:
 * a temp file in the same directory is written, forced to disk, then renamed over the target.
 */
public final class SafeTensors {
    private SafeTensors() {
    }

    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        StringBuilder json = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long size = (long) t.numel() * t.dtype().byteSize();
            json.append(json.length() > 1 ? "," : "").append(Json.quote(e.getKey())).append(":{\"dtype\":\"")
                    .append(code(t.dtype())).append("\",\"shape\":[");
            for (int i = 0; i < t.dim(); i++) {
                json.append(i > 0 ? "," : "").append(t.size(i));
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + size).append("]}");
            offset += size;
        }
        json.append('}');
        int utf8Length = json.toString().getBytes(StandardCharsets.UTF_8).length;
        json.append(" ".repeat((8 - utf8Length % 8) % 8)); // spaces, so the data starts 8-byte aligned
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        Path dir = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Tensor t : tensors.values()) {
                writeFully(ch, encode(t));
            }
            ch.force(true);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads every tensor, in header order, onto the CPU; a malformed file throws naming the file and key. */
    public static Map<String, Tensor> read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        String file = path.getFileName().toString();
        if (bytes.length < 8) {
            throw new CheckpointException(file + ": truncated: " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = all.getLong(0);
        if (headerLen < 2 || headerLen > bytes.length - 8) {
            throw new CheckpointException(file + ": header length " + headerLen + " does not fit in a file of " + bytes.length
                    + " bytes (truncated or not a safetensors file)");
        }
        int dataStart = 8 + (int) headerLen;
        Map<String, Object> header;
        try {
            header = Json.parseObject(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": corrupt header: " + e.getMessage(), e);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (!e.getKey().equals("__metadata__")) {
                out.put(e.getKey(), readTensor(file, e.getKey(), e.getValue(), all, dataStart));
            }
        }
        return out;
    }

    private static Tensor readTensor(String file, String key, Object entry, ByteBuffer all, int dataStart) {
        String where = file + ": tensor '" + key + "'";
        if (!(entry instanceof Map<?, ?> m) || !(m.get("dtype") instanceof String code)
                || !(m.get("shape") instanceof List<?> shapeList) || !(m.get("data_offsets") instanceof List<?> offs)
                || offs.size() != 2) {
            throw new CheckpointException(where + ": header entry needs dtype, shape and two data_offsets, got " + entry);
        }
        DType dtype = dtype(where, code);
        int[] shape = new int[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = (int) number(where, shapeList.get(i));
        }
        long begin = number(where, offs.get(0));
        long end = number(where, offs.get(1));
        long expected = (long) Shape.numel(shape) * dtype.byteSize();
        if (end - begin != expected) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but shape " + Shape.str(shape) + " of " + code + " needs " + expected);
        }
        if (begin < 0 || dataStart + end > all.capacity()) {
            throw new CheckpointException(where + ": truncated: data ends at byte " + (dataStart + end) + " but the file has "
                    + all.capacity());
        }
        ByteBuffer b = all.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(dataStart + (int) begin)
                .limit(dataStart + (int) end).slice().order(ByteOrder.LITTLE_ENDIAN);
        return decode(b, dtype, shape);
    }

    private static long number(String where, Object o) {
        if (!(o instanceof Long n) || n < 0) {
            throw new CheckpointException(where + ": expected a non-negative integer in the header, got " + o);
        }
        return n;
    }

    private static String code(DType d) {
        switch (d) {
            case FLOAT32: return "F32";
            case FLOAT64: return "F64";
            case INT64: return "I64";
            case BOOL: return "BOOL";
            default: throw new IllegalArgumentException("safetensors: cannot store dtype " + d);
        }
    }

    private static DType dtype(String where, String code) {
        switch (code) {
            case "F32": return DType.FLOAT32;
            case "F64": return DType.FLOAT64;
            case "I64": return DType.INT64;
            case "BOOL": return DType.BOOL;
            default: throw new CheckpointException(where + ": unsupported dtype " + code + " (Kiln reads F32, F64, I64, BOOL)");
        }
    }

    private static ByteBuffer encode(Tensor t) {
        Tensor c = t.detach().to(Device.CPU);
        ByteBuffer b = ByteBuffer.allocate(t.numel() * t.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32: b.asFloatBuffer().put(c.toFloatArray()); break;
            case FLOAT64: b.asDoubleBuffer().put(c.toDoubleArray()); break;
            case INT64: b.asLongBuffer().put(c.toLongArray()); break;
            default:
                for (boolean v : c.toBooleanArray()) {
                    b.put((byte) (v ? 1 : 0));
                }
                b.flip();
        }
        return b;
    }

    private static Tensor decode(ByteBuffer b, DType dtype, int[] shape) {
        int n = Shape.numel(shape);
        switch (dtype) {
            case FLOAT32: {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                return Tensor.fromArray(a, shape);
            }
            case FLOAT64: {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                return Tensor.fromArray(a, shape);
            }
            case INT64: {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return Tensor.fromArray(a, shape);
            }
            default: {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = b.get(i) != 0;
                }
                return Tensor.fromArray(a, shape);
            }
        }
    }
}
