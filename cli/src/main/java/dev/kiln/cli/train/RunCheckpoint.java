package dev.kiln.cli.train;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cli.UserError;
import dev.kiln.nn.Module;
import dev.kiln.nn.checkpoint.SafeTensors;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file per run holding the model ({@code model.*}, PyTorch's key names), the
 * optimizer ({@code optimizer.*}) and the number of finished epochs, written atomically so an
 * interrupted save leaves the previous checkpoint whole.
 */
public final class RunCheckpoint {
    public static final String FILE_NAME = "checkpoint.safetensors";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    private static final String EPOCH = "epoch";

    private RunCheckpoint() {
    }

    public static void save(Path file, Module model, Optimizer optimizer, int epoch) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> all.put(MODEL + k, v.to(Device.CPU)));
        optimizer.stateDict().forEach((k, v) -> all.put(OPTIMIZER + k, v.to(Device.CPU)));
        all.put(EPOCH, Tensor.full(new int[0], epoch, DType.INT64, Device.CPU));
        SafeTensors.write(file, all);
    }

    /** Loads the model part into {@code model}; returns the whole file's tensors for {@link #restoreOptimizer}. */
    public static Map<String, Tensor> loadModel(Path file, Module model) {
        Map<String, Tensor> all = read(file);
        try {
            model.loadStateDict(part(all, MODEL));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": does not match the model (" + e.getMessage() + ")", e);
        }
        return all;
    }

    public static void restoreOptimizer(Path file, Map<String, Tensor> all, Optimizer optimizer) {
        try {
            optimizer.loadStateDict(part(all, OPTIMIZER));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": its optimizer state does not match --optimizer (" + e.getMessage() + ")", e);
        }
    }

    public static int epoch(Map<String, Tensor> all) {
        Tensor e = all.get(EPOCH);
        return e == null ? 0 : (int) e.item();
    }

    /** The model's tensors only, as they would be loaded (for telling which architecture a file holds). */
    public static Map<String, Tensor> modelState(Map<String, Tensor> all) {
        return part(all, MODEL);
    }

    public static Map<String, Tensor> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("checkpoint not found: " + file);
        }
        try {
            return SafeTensors.read(file);
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": not a readable safetensors checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, Tensor> part(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
