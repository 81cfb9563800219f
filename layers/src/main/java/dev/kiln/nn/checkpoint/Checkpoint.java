package dev.kiln.nn.checkpoint;

import dev.kiln.Tensor;
import dev.kiln.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Saves and loads a module's state dict as a safetensors file (PyTorch's key names). */
public final class Checkpoint {
    private Checkpoint() {
    }

    public static void save(Module model, Path path) throws IOException {
        SafeTensors.write(path, model.stateDict());
    }

    /** Loads strictly: missing or unexpected keys and shape mismatches throw naming the keys, and nothing changes. */
    public static void load(Module model, Path path) throws IOException {
        Map<String, Tensor> state = SafeTensors.read(path);
        try {
            model.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path.getFileName() + ": " + e.getMessage(), e);
        }
    }
}
