package dev.kiln.cli.run;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.cli.UserError;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.nn.checkpoint.Checkpoint;
import dev.kiln.nn.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload run's checkpoint, one safetensors file: each module's state under {@code <module name>.} (PyTorch's key
 * names after it), each optimizer's under {@code <optimizer name>.}, the finished epochs and every epoch's metrics;
 * the metadata names the workload and the metric columns. Written atomically, so a kill leaves the last epoch whole.
 */
final class WorkloadCheckpoint {
    static final String FILE_NAME = RunCheckpoint.FILE_NAME;
    private static final String EPOCH = "epoch";
    private static final String METRICS = "metrics";
    private static final String WORKLOAD = "workload";
    private static final String COLUMNS = "metric_columns";

    /** What a resumed run continues from. */
    record Restored(int epoch, List<double[]> history) {
    }

    private WorkloadCheckpoint() {
    }

    /** history: one row per finished epoch, the workload's metrics then seconds. */
    static void save(Path file, Workload w, int epoch, List<double[]> history) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        w.modules().forEach((name, m) -> m.stateDict().forEach((k, v) -> all.put(name + "." + k, v.to(Device.CPU))));
        w.optimizers().forEach((name, o) -> o.stateDict().forEach((k, v) -> all.put(name + "." + k, v.to(Device.CPU))));
        all.put(EPOCH, Tensor.full(new int[0], epoch, DType.INT64, Device.CPU));
        int columns = w.metricNames().size() + 1;
        double[] rows = new double[history.size() * columns];
        for (int i = 0; i < history.size(); i++) {
            System.arraycopy(history.get(i), 0, rows, i * columns, columns);
        }
        all.put(METRICS, Tensor.fromArray(rows, history.size(), columns));
        SafeTensors.write(file, all, Map.of(WORKLOAD, w.name(), COLUMNS, String.join(",", w.metricNames())));
    }

    /** The epochs a checkpoint of workload {@code name} has finished; refuses another workload's file, saying whose. */
    static int finishedEpochs(Path file, String name) {
        Map<String, Tensor> all = read(file, name);
        return (int) all.get(EPOCH).item();
    }

    /** Loads every module and optimizer of w (all or nothing per module) and returns the epochs and metrics so far. */
    static Restored restore(Path file, Workload w) {
        Map<String, Tensor> all = read(file, w.name());
        try {
            w.modules().forEach((name, m) -> Checkpoint.loadStateDict(m, part(all, name)));
            w.optimizers().forEach((name, o) -> o.loadStateDict(part(all, name)));
        } catch (IllegalArgumentException e) {
            throw new UserError(file + ": does not match the " + w.name() + " workload (" + e.getMessage() + ")", e);
        }
        Tensor m = all.get(METRICS);
        int columns = m.shape()[1];
        double[] v = m.toDoubleArray();
        List<double[]> history = new ArrayList<>();
        for (int i = 0; i + columns <= v.length; i += columns) {
            history.add(java.util.Arrays.copyOfRange(v, i, i + columns));
        }
        return new Restored((int) all.get(EPOCH).item(), history);
    }

    private static Map<String, Tensor> read(Path file, String name) {
        Map<String, Tensor> all = RunCheckpoint.read(file);
        String saved;
        try {
            saved = SafeTensors.metadata(file).get(WORKLOAD);
        } catch (IOException e) {
            throw new UserError(file + ": not a readable safetensors checkpoint (" + e.getMessage() + ")", e);
        }
        if (saved == null || all.get(EPOCH) == null || all.get(METRICS) == null) {
            throw new UserError(file + ": not a kiln run checkpoint (it names no workload)");
        }
        if (!saved.equals(name)) {
            throw new UserError(file + " holds a " + saved + " run, not a " + name + " one");
        }
        return all;
    }

    private static Map<String, Tensor> part(Map<String, Tensor> all, String name) {
        String prefix = name + ".";
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
