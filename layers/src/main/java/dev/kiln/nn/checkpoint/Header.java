package dev.kiln.nn.checkpoint;

import dev.kiln.DType;
import dev.kiln.Shape;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header, read and checked as the reference reader (huggingface/safetensors,
 * tensor.rs) checks it: the length fits the file and at most 100 MB, strict UTF-8 JSON, a string map
 * as {@code __metadata__}, and data_offsets that, sorted, cover the data after the header exactly:
 * no gap, no overlap, no trailing byte, each range numel * dtype size long. Every error names the
 * file, and the tensor where there is one.
 *
 * @param dataStart the file position where the data buffer starts (8 + header length)
 * @param entries the tensors in header order
 * @param metadata the {@code __metadata__} map (empty when there is none)
 */
record Header(long dataStart, List<Entry> entries, Map<String, String> metadata) {
    /** The reference reader's MAX_HEADER_SIZE. */
    static final long MAX_LENGTH = 100_000_000;
    static final String METADATA = "__metadata__";

    /** One tensor: begin and end are offsets into the data buffer. */
    record Entry(String key, DType dtype, int[] shape, long begin, long end) {
    }

    static Header read(FileChannel ch, String file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointException(file + ": truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        long length = FileIO.readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (length < 0 || length > size - 8) {
            throw new CheckpointException(file + ": header length " + Long.toUnsignedString(length)
                    + " does not fit in a file of " + size + " bytes (truncated or not a safetensors file)");
        }
        if (length > MAX_LENGTH) {
            throw new CheckpointException(file + ": header length " + length + " is over the format's limit of "
                    + MAX_LENGTH + " bytes");
        }
        Map<String, Object> json;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(FileIO.readFully(ch, 8, (int) length)).toString();
            json = Json.parseObject(text);
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file + ": corrupt header: not valid UTF-8", e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": corrupt header: " + e.getMessage(), e);
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file + ": tensor '" + e.getKey() + "'", e.getKey(), e.getValue()));
            }
        }
        Header h = new Header(8 + length, List.copyOf(entries), metadata);
        h.checkCoverage(file, size);
        return h;
    }

    /** Sorted by range, the tensors must tile [0, data size) exactly, as the reference's validate() requires. */
    private void checkCoverage(String file, long fileSize) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long available = fileSize - dataStart;
        long at = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            String where = file + ": tensor '" + e.key() + "'";
            if (e.begin() < at) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end() + "] overlap those of '"
                        + previous.key() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > at) {
                throw new CheckpointException(where + ": data_offsets [" + e.begin() + ", " + e.end() + "] leave a gap of "
                        + (e.begin() - at) + " bytes after " + (previous == null ? "the header" : "'" + previous.key() + "'"));
            }
            if (e.end() > available) {
                throw new CheckpointException(where + ": truncated: its data ends at byte " + (dataStart + e.end())
                        + " but the file has " + fileSize);
            }
            at = e.end();
            previous = e;
        }
        if (at != available) {
            throw new CheckpointException(file + ": " + (available - at) + " trailing bytes after the last tensor's data"
                    + " (the header describes " + at + " bytes of data, the file holds " + available + ")");
        }
    }

    private static Entry entry(String where, String key, Object value) {
        if (!(value instanceof Map<?, ?> m) || !(m.get("dtype") instanceof String code)
                || !(m.get("shape") instanceof List<?> dims) || !(m.get("data_offsets") instanceof List<?> offsets)
                || offsets.size() != 2) {
            throw new CheckpointException(where + ": header entry needs dtype, shape and two data_offsets, got " + value);
        }
        DType dtype = SafeTensorsDType.of(where, code);
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = integer(where, "shape", dims.get(i));
            if (d > Integer.MAX_VALUE) {
                throw new CheckpointException(where + ": dimension " + i + " of shape " + dims + " is " + d
                        + ", over Kiln's limit of 2^31-1");
            }
            shape[i] = (int) d;
            numel = Math.multiplyExact(numel, d); // dims below 2^31: a product of 2^31 or more stops next line
            if (numel > Integer.MAX_VALUE) {
                throw new CheckpointException(where + ": shape " + dims + " has over 2^31-1 elements, Kiln's limit");
            }
        }
        long begin = integer(where, "data_offsets", offsets.get(0));
        long end = integer(where, "data_offsets", offsets.get(1));
        long expected = numel * dtype.byteSize();
        if (end < begin || end - begin != expected) {
            throw new CheckpointException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but shape " + Shape.str(shape) + " of " + code + " needs " + expected);
        }
        return new Entry(key, dtype, shape, begin, end);
    }

    private static long integer(String where, String field, Object o) {
        if (!(o instanceof Long n) || n < 0) {
            throw new CheckpointException(where + ": " + field + " must hold non-negative integers, got " + o);
        }
        return n;
    }

    private static Map<String, String> metadata(String file, Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put((String) k, v instanceof String text ? text : null));
        }
        if (!(value instanceof Map) || out.containsValue(null)) {
            throw new CheckpointException(file + ": " + METADATA + " must map strings to strings, got " + value);
        }
        return out;
    }
}
