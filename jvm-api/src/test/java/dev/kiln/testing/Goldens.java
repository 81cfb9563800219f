package dev.kiln.testing;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the golden files written by {@code scripts/goldens/make_goldens.py} from the test resources
 * ({@code /goldens/<family>.bin.gz}). Layout, gzip-compressed and little-endian:
 * <pre>
 * file  := "KILNGLD1" | u32 entry_count | entry*
 * entry := u16 name_len | name ("case/field", UTF-8) | u8 kind | u8 rank | u32 dims[rank] | payload
 * kind  := 0 float32 | 1 float64 | 2 int64 | 3 bool (1 byte) | 4 text (UTF-8, dims[0] bytes)
 * </pre>
 */
public final class Goldens {
    private static final Map<String, List<Case>> CACHE = new ConcurrentHashMap<>();

    private Goldens() {
    }

    /** One stored array: its kind (0..4, as in the file), shape and a Java array of values (String for text). */
    private record Entry(int kind, int[] shape, Object values) {
    }

    /**
     * One golden case: named fields (inputs, parameters, outputs, gradients) of one dtype, on one test device:
     * its tensors are made there, so a golden test runs unchanged on every device (the results are compared
     * on the host).
     */
    public static final class Case {
        private final String name;
        private final Map<String, Entry> fields;
        private final TestDevice device;

        private Case(String name) {
            this(name, new LinkedHashMap<>(), TestDevice.CPU);
        }

        private Case(String name, Map<String, Entry> fields, TestDevice device) {
            this.name = name;
            this.fields = fields;
            this.device = device;
        }

        /** The same case on another device. */
        Case on(TestDevice other) {
            return new Case(name, fields, other);
        }

        public String name() {
            return name;
        }

        public boolean has(String field) {
            return fields.containsKey(field);
        }

        private Entry entry(String field) {
            Entry e = fields.get(field);
            if (e == null) {
                throw new IllegalArgumentException("golden case " + name + " has no field '" + field + "' (fields: "
                        + fields.keySet() + ")");
            }
            return e;
        }

        /** The dtype of the case's float values. */
        public DType dtype() {
            String t = text("dtype");
            for (DType d : DType.values()) {
                if (d.toString().equals(t)) {
                    return d;
                }
            }
            throw new IllegalStateException("golden case " + name + ": unknown dtype " + t);
        }

        public String text(String field) {
            Entry e = entry(field);
            if (e.kind != 4) {
                throw new IllegalArgumentException("golden case " + name + ": field '" + field + "' is not text");
            }
            return (String) e.values;
        }

        /** A stored array as a new tensor of its stored dtype and shape on the case's device (selected first). */
        public Tensor tensor(String field) {
            Entry e = entry(field);
            Tensor t;
            switch (e.kind) {
                case 0: t = Tensor.fromArray((float[]) e.values, e.shape); break;
                case 1: t = Tensor.fromArray((double[]) e.values, e.shape); break;
                case 2: t = Tensor.fromArray((long[]) e.values, e.shape); break;
                case 3: t = Tensor.fromArray((boolean[]) e.values, e.shape); break;
                default: throw new IllegalArgumentException("golden case " + name + ": field '" + field + "' is text");
            }
            Device d = device.use();
            return d.equals(Device.CPU) ? t : t.to(d);
        }

        /** The case's device, selected. */
        public Device device() {
            return device.use();
        }

        public int[] shape(String field) {
            return entry(field).shape.clone();
        }

        /** An int64 field as int values (dims, parameters). */
        public int[] ints(String field) {
            long[] v = (long[]) entry(field).values;
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = Math.toIntExact(v[i]);
            }
            return out;
        }

        /** A 0-D int64 field. */
        public int integer(String field) {
            int[] v = ints(field);
            if (v.length != 1) {
                throw new IllegalArgumentException("golden case " + name + ": field '" + field + "' is not a scalar");
            }
            return v[0];
        }

        public boolean flag(String field) {
            return integer(field) != 0;
        }

        /** A 0-D float field as a double. */
        public double real(String field) {
            return tensor(field).item();
        }

        @Override
        public String toString() {
            return device == TestDevice.CPU ? name : name + " on " + device;
        }
    }

    /** Every case of a family, in file order. */
    public static List<Case> load(String family) {
        return CACHE.computeIfAbsent(family, Goldens::read);
    }

    /** The cases of a family whose names start with {@code prefix}. */
    public static Stream<Case> cases(String family, String prefix) {
        return cases(family, c -> c.name().startsWith(prefix));
    }

    /** The cases of a family the filter selects, each on every {@link TestDevice} of the test class path. */
    public static Stream<Case> cases(String family, Predicate<Case> filter) {
        List<Case> selected = load(family).stream().filter(filter).toList();
        if (selected.isEmpty()) {
            throw new IllegalStateException("no golden cases selected in family " + family);
        }
        List<TestDevice> devices = TestDevice.all();
        return devices.stream().flatMap(d -> selected.stream().map(c -> c.on(d)));
    }

    private static List<Case> read(String family) {
        String resource = "/goldens/" + family + ".bin.gz";
        try (InputStream raw = Goldens.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + resource
                        + "; regenerate with /usr/bin/python3 scripts/goldens/make_goldens.py jvm-api/src/test/resources/goldens");
            }
            DataInputStream in = new DataInputStream(new GZIPInputStream(raw));
            byte[] magic = new byte[8];
            in.readFully(magic);
            if (!"KILNGLD1".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IllegalStateException(resource + " is not a Kiln golden file");
            }
            int count = le(in, 4).getInt();
            Map<String, Case> cases = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = new String(in.readNBytes(le(in, 2).getShort() & 0xFFFF), StandardCharsets.UTF_8);
                int slash = name.lastIndexOf('/');
                String caseName = name.substring(0, slash);
                cases.computeIfAbsent(caseName, Case::new).fields.put(name.substring(slash + 1), entry(in));
            }
            return List.copyOf(new ArrayList<>(cases.values()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private static Entry entry(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        int rank = in.readUnsignedByte();
        int[] shape = new int[rank];
        ByteBuffer dims = le(in, 4 * rank);
        int n = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = dims.getInt();
            n *= shape[d];
        }
        switch (kind) {
            case 0: {
                float[] v = new float[n];
                le(in, 4 * n).asFloatBuffer().get(v);
                return new Entry(kind, shape, v);
            }
            case 1: {
                double[] v = new double[n];
                le(in, 8 * n).asDoubleBuffer().get(v);
                return new Entry(kind, shape, v);
            }
            case 2: {
                long[] v = new long[n];
                le(in, 8 * n).asLongBuffer().get(v);
                return new Entry(kind, shape, v);
            }
            case 3: {
                byte[] b = in.readNBytes(n);
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b[i] != 0;
                }
                return new Entry(kind, shape, v);
            }
            case 4:
                return new Entry(kind, shape, new String(in.readNBytes(n), StandardCharsets.UTF_8));
            default:
                throw new IllegalStateException("unknown golden entry kind " + kind);
        }
    }

    private static ByteBuffer le(DataInputStream in, int bytes) throws IOException {
        byte[] b = new byte[bytes];
        in.readFully(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
