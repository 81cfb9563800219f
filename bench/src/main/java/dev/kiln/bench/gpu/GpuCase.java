package dev.kiln.bench.gpu;

import dev.kiln.DType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a cases file: {@code op dtype key=value...}, e.g. {@code matmul f32 m=4096 n=4096 k=4096}.
 * The line itself names the case in Kiln's and PyTorch's results, which are joined on it.
 */
record GpuCase(String text, String op, DType dtype, Map<String, Integer> params) {
    static GpuCase parse(String line) {
        String[] words = line.trim().split("\\s+");
        if (words.length < 2) {
            throw new IllegalArgumentException("gpu bench case '" + line + "': expected 'op dtype key=value...'");
        }
        DType dtype = switch (words[1]) {
            case "f32" -> DType.FLOAT32;
            case "f64" -> DType.FLOAT64;
            default -> throw new IllegalArgumentException("gpu bench case '" + line + "': dtype " + words[1]
                    + " is not one of f32, f64");
        };
        Map<String, Integer> params = new LinkedHashMap<>();
        for (int i = 2; i < words.length; i++) {
            String[] kv = words[i].split("=", 2);
            if (kv.length != 2 || !kv[1].matches("\\d+")) {
                throw new IllegalArgumentException("gpu bench case '" + line + "': " + words[i]
                        + " is not key=<non-negative integer>");
            }
            params.put(kv[0], Integer.parseInt(kv[1]));
        }
        return new GpuCase(String.join(" ", words), words[0], dtype, params);
    }

    int get(String key) {
        Integer v = params.get(key);
        if (v == null) {
            throw new IllegalArgumentException("gpu bench case '" + text + "': " + op + " needs " + key + "=...");
        }
        return v;
    }

    int bytesPerElement() {
        return dtype.byteSize();
    }
}
