package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.checkpoint.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PyTorch goldens from test resources, written by
 * {@code /usr/bin/python3 scripts/goldens/make_goldens.py} (run from the repository root).
 */
public final class LayerGoldens {
    private final String file;
    private final Map<String, Tensor> tensors;

    private LayerGoldens(String file, Map<String, Tensor> tensors) {
        this.file = file;
        this.tensors = tensors;
    }

    /** {@code name} is layers, losses or optim; the file for the dtype is picked. */
    public static LayerGoldens load(String name, DType dtype) {
        return load(name + (dtype == DType.FLOAT64 ? "_f64" : "_f32") + ".safetensors");
    }

    public static LayerGoldens load(String file) {
        try {
            return new LayerGoldens(file, SafeTensors.read(path(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path path(String file) {
        try {
            return Path.of(LayerGoldens.class.getResource("/goldens/" + file).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("golden file " + file + " is missing from test resources", e);
        }
    }

    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException(file + " has no tensor " + key);
        }
        return t;
    }

    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** Entries under {@code prefix}, with the prefix removed. */
    public Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
