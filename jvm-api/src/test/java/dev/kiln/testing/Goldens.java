package dev.kiln.testing;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads the golden files written by {@code scripts/goldens/make_goldens.py} from the test resources
 * ({@code /goldens/<family>.safetensors}, the format of every golden file): tensors named "case/field" (F32, F64, I64,
 * BOOL), text fields as "case/field" entries of the header's __metadata__; cases in the order of their first tensor.
 */
public final class Goldens {
    private static final Map<String, List<Case>> CACHE = new ConcurrentHashMap<>();

    private Goldens() {
    }

    /** Kind of a text field; 0..3 are float32, float64, int64 and bool arrays. */
    private static final int TEXT = 4;

    /** One stored array: its kind (0..3, or TEXT), shape and a Java array of values (String for text). */
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
            if (e.kind != TEXT) {
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
        String resource = "/goldens/" + family + ".safetensors";
        try (InputStream raw = Goldens.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + resource
                        + "; regenerate with /usr/bin/python3 scripts/goldens/make_goldens.py");
            }
            byte[] bytes = raw.readAllBytes();
            ByteBuffer file = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Math.toIntExact(file.getLong(0));
            Map<String, Object> header = Json.object(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
            ByteBuffer data = file.position(8 + headerLength).slice().order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Case> cases = new LinkedHashMap<>();
            header.forEach((name, value) -> {
                if (!name.equals("__metadata__")) {
                    field(cases, name).put(leaf(name), entry(name, Json.cast(value), data));
                }
            });
            Map<String, Object> texts = Json.cast(header.getOrDefault("__metadata__", Map.of()));
            texts.forEach((name, text) -> field(cases, name).put(leaf(name),
                    new Entry(TEXT, new int[] {0}, (String) text)));
            return List.copyOf(new ArrayList<>(cases.values()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    /** The fields of the case "case/field" names. */
    private static Map<String, Entry> field(Map<String, Case> cases, String name) {
        return cases.computeIfAbsent(name.substring(0, name.lastIndexOf('/')), Case::new).fields;
    }

    private static String leaf(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    /** One tensor of the file: {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}. */
    private static Entry entry(String name, Map<String, Object> info, ByteBuffer data) {
        List<Object> dims = Json.cast(info.get("shape"));
        int[] shape = dims.stream().mapToInt(d -> ((Number) d).intValue()).toArray();
        List<Object> offsets = Json.cast(info.get("data_offsets"));
        int begin = ((Number) offsets.get(0)).intValue();
        int n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        ByteBuffer at = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(begin);
        switch ((String) info.get("dtype")) {
            case "F32": {
                float[] v = new float[n];
                at.asFloatBuffer().get(v);
                return new Entry(0, shape, v);
            }
            case "F64": {
                double[] v = new double[n];
                at.asDoubleBuffer().get(v);
                return new Entry(1, shape, v);
            }
            case "I64": {
                long[] v = new long[n];
                at.asLongBuffer().get(v);
                return new Entry(2, shape, v);
            }
            case "BOOL": {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = at.get() != 0;
                }
                return new Entry(3, shape, v);
            }
            default:
                throw new IllegalStateException("golden " + name + ": unsupported dtype " + info.get("dtype"));
        }
    }
}
