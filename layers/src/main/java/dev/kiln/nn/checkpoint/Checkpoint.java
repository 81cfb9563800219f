package dev.kiln.nn.checkpoint;

import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Saves and loads a module's state dict as a safetensors file (PyTorch's key names). */
public final class Checkpoint {
    private Checkpoint() {
    }

    public static void save(Module model, Path path) throws IOException {
        SafeTensors.write(path, model.stateDict());
    }

    /**
     * Loads strictly: missing or unexpected keys and shape mismatches throw naming the keys. Whatever
     * fails (a corrupt file, a mismatch, too little device memory), the model is left unchanged.
     */
    public static void load(Module model, Path path) throws IOException {
        Map<String, Tensor> state = SafeTensors.read(path);
        try {
            loadStateDict(model, state);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code model.loadStateDict(state)}, all or nothing: every value is first made in its target's
     * dtype and on its device (where running out of device memory would strike), and only once all
     * of them exist is any copied into the model.
     */
    public static void loadStateDict(Module model, Map<String, Tensor> state) {
        Map<String, Tensor> own = model.stateDict();
        Map<String, Tensor> staged = new LinkedHashMap<>();
        try (var scope = GradMode.noGrad()) {
            state.forEach((k, v) -> {
                Tensor t = own.get(k);
                // a key or shape loadStateDict will refuse is passed as it is, for its error message
                staged.put(k, t == null || !Arrays.equals(t.shape(), v.shape()) ? v : v.to(t.dtype()).to(t.device()));
            });
            model.loadStateDict(staged); // checks every key and shape before it copies anything
        } finally {
            staged.forEach((k, s) -> {
                if (s != state.get(k)) {
                    s.close();
                }
            });
        }
    }
}
