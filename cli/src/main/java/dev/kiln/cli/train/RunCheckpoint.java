package dev.kiln.cli.train;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cli.UserError;
import dev.kiln.nn.Module;
import dev.kiln.nn.checkpoint.Checkpoint;
import dev.kiln.nn.checkpoint.SafeTensors;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file per run holding the model ({@code model.*}, PyTorch's key names), the
 * optimizer ({@code optimizer.*}, its name in the metadata), the number of finished epochs and
 * every epoch's metrics, written atomically so an interrupted save leaves the previous checkpoint
 * whole. It is the run's truth: metrics.csv and the curves are drawn from it.
 */
public final class RunCheckpoint {
    public static final String FILE_NAME = "checkpoint.safetensors";
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";
    private static final String EPOCH = "epoch";
    /** (epochs, 6) float64: the columns of {@link EpochMetrics}. */
    private static final String METRICS = "metrics";
    private static final String OPTIMIZER_NAME = "optimizer";

    /**
     * What a resumed run continues from: finished epochs, the model, the optimizer (null in files
     * older than its record) and its lr.
     */
    public record Summary(int epoch, String model, String optimizer, double lr) {
    }

    private RunCheckpoint() {
    }

    public static void save(Path file, Module model, Optimizer optimizer, String optimizerName, int epoch,
                            List<EpochMetrics> history) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> all.put(MODEL + k, v.to(Device.CPU)));
        optimizer.stateDict().forEach((k, v) -> all.put(OPTIMIZER + k, v.to(Device.CPU)));
        all.put(EPOCH, Tensor.full(new int[0], epoch, DType.INT64, Device.CPU));
        double[] rows = new double[history.size() * 6];
        for (int i = 0; i < history.size(); i++) {
            EpochMetrics m = history.get(i);
            System.arraycopy(new double[] {m.epoch(), m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy(),
                m.seconds()}, 0, rows, 6 * i, 6);
        }
        all.put(METRICS, Tensor.fromArray(rows, history.size(), 6));
        SafeTensors.write(file, all, Map.of(OPTIMIZER_NAME, optimizerName));
    }

    /** Loads the model part into {@code model} (all or nothing); returns the whole file's tensors for {@link #restoreOptimizer}. */
    public static Map<String, Tensor> loadModel(Path file, Module model) {
        Map<String, Tensor> all = read(file);
        try {
            Checkpoint.loadStateDict(model, part(all, MODEL));
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

    /** The metrics of every finished epoch, or null for a file written before they were kept in it. */
    public static List<EpochMetrics> history(Map<String, Tensor> all) {
        Tensor t = all.get(METRICS);
        if (t == null) {
            return null;
        }
        double[] v = t.toDoubleArray();
        List<EpochMetrics> rows = new ArrayList<>();
        for (int i = 0; i + 6 <= v.length; i += 6) {
            rows.add(new EpochMetrics((int) v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5]));
        }
        return rows;
    }

    public static Summary summary(Path file) {
        Map<String, Tensor> all = read(file);
        Tensor lr = all.get(OPTIMIZER + "lr");
        if (lr == null) {
            throw new UserError(file + ": not a kiln train checkpoint (it has no optimizer state)");
        }
        try {
            return new Summary(epoch(all), Models.recognise(modelState(all), file), SafeTensors.metadata(file).get(OPTIMIZER_NAME),
                    lr.item());
        } catch (IOException e) {
            throw new UserError(file + ": not a readable safetensors checkpoint (" + e.getMessage() + ")", e);
        }
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
