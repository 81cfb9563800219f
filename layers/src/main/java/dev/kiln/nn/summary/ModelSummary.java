package dev.kiln.nn.summary;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.FlopCounter;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Module;
import dev.kiln.nn.Parameter;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What {@code torchsummary} / {@code torchinfo} show and more: for a model and an input shape, each
 * layer's output shape, parameters (trainable and frozen), multiply-adds and output bytes (counted by a
 * {@link FlopCounter} as it runs) and receptive field (size, jump, start; dilation, stride, padding and
 * pooling included). Sequentials are walked into; any other block with children (a residual block, a
 * user's module) runs as one row, followed by its children indented, with their parameters (their
 * shapes and multiply-adds are inside the block's row). The model runs once on zeros in eval mode
 * under no-grad, so running statistics do not move, and its train/eval mode is restored.
 * The receptive field is tracked while outputs stay (N, C, H, W): layers with a {@link Window}
 * change it, layers keeping H and W (activations, batch norm, dropout) do not, and after any other
 * layer (Flatten, Linear, or a composite whose inner windows are not visible here) it is unknown (null).
 */
public final class ModelSummary {
    /**
     * One row, {@code depth} levels below the model. A child of a block that ran as one row has a null
     * {@code outputShape} and -1 {@code macs} and {@code outputBytes}; {@code receptiveField} is null
     * where it is not tracked.
     */
    public record Row(String name, String layer, int depth, int[] outputShape, long parameters, long trainableParameters,
                      long macs, long outputBytes, ReceptiveField receptiveField) {
    }

    private final int[] inputShape;
    private final List<Row> rows;
    private final Totals totals;

    /** Whole-model figures: parameters counted once even when shared, operations as the forward ran them. */
    private record Totals(long parameters, long trainable, long parameterBytes, long bufferBytes, long macs,
                          long outputBytes, long inputBytes) {
    }

    private ModelSummary(int[] inputShape, List<Row> rows, Totals totals) {
        this.inputShape = inputShape;
        this.rows = rows;
        this.totals = totals;
    }

    public static ModelSummary of(Layer model, int... inputShape) {
        boolean training = model.isTraining();
        model.eval();
        List<Row> rows = new ArrayList<>();
        Totals totals;
        try (var scope = GradMode.noGrad(); FlopCounter all = FlopCounter.open()) {
            Tensor x = zerosLikeParameters(model, inputShape);
            walk("", 0, model, x, inputShape.length == 4 ? ReceptiveField.INPUT : null, rows);
            totals = new Totals(model.parameterCount(), model.trainableParameterCount(),
                    model.parameters().stream().mapToLong(p -> (long) p.numel() * p.dtype().byteSize()).sum(),
                    model.namedBuffers().values().stream().filter(b -> b != null)
                            .mapToLong(b -> (long) b.numel() * b.dtype().byteSize()).sum(),
                    all.macs(), all.outputBytes(), (long) x.numel() * x.dtype().byteSize());
        } finally {
            model.train(training);
        }
        return new ModelSummary(inputShape.clone(), List.copyOf(rows), totals);
    }

    /**
     * Zeros of the dtype and on the device of the model's first floating-point parameter (or
     * buffer), so a float64 or device model runs; float32 on the CPU for a model with neither.
     */
    private static Tensor zerosLikeParameters(Layer model, int[] inputShape) {
        Stream<Tensor> tensors = Stream.concat(model.parameters().stream().map(Parameter::data),
                model.namedBuffers().values().stream());
        Tensor like = tensors.filter(t -> t != null && t.dtype().isFloatingPoint()).findFirst().orElse(null);
        return like == null ? Tensor.zeros(inputShape, DType.FLOAT32, Device.CPU)
                : Tensor.zeros(inputShape, like.dtype(), like.device());
    }

    /** Runs {@code layer} on x, appending rows; returns {output, field} of the last row. */
    private static Object[] walk(String name, int depth, Layer layer, Tensor x, ReceptiveField rf, List<Row> rows) {
        if (layer instanceof Sequential seq) {
            for (int i = 0; i < seq.size(); i++) {
                Object[] r = walk(path(name, Integer.toString(i)), depth, seq.get(i), x, rf, rows);
                x = (Tensor) r[0];
                rf = (ReceptiveField) r[1];
            }
            return new Object[] {x, rf};
        }
        Tensor y;
        long macs;
        long bytes;
        try (FlopCounter c = FlopCounter.open()) {
            y = layer.forward(x);
            macs = c.macs();
            bytes = c.outputBytes();
        }
        ReceptiveField out = next(layer, x.shape(), y.shape(), rf);
        rows.add(new Row(name, layer.getClass().getSimpleName(), depth, y.shape(), layer.parameterCount(),
                layer.trainableParameterCount(), macs, bytes, out));
        ((Module) layer).namedChildren().forEach((child, m) -> children(path(name, child), depth + 1, m, rows));
        return new Object[] {y, out};
    }

    /** The modules inside a block that ran as one row: parameters only. */
    private static void children(String name, int depth, Module m, List<Row> rows) {
        rows.add(new Row(name, m.getClass().getSimpleName(), depth, null, m.parameterCount(), m.trainableParameterCount(),
                -1, -1, null));
        m.namedChildren().forEach((child, c) -> children(path(name, child), depth + 1, c, rows));
    }

    private static String path(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }

    private static ReceptiveField next(Layer layer, int[] in, int[] out, ReceptiveField rf) {
        if (rf == null || out.length != 4 || out[2] == 0 || out[3] == 0) { // an empty plane has no receptive field
            return null;
        }
        if (layer instanceof Window.Windowed w) {
            return rf.then(w.window(in));
        }
        boolean samePlane = in.length == 4 && in[2] == out[2] && in[3] == out[3];
        boolean composite = !((Module) layer).namedChildren().isEmpty();
        return samePlane && !composite ? rf : null;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The last row's receptive field (null if not tracked to the end). */
    public ReceptiveField receptiveField() {
        return rows.isEmpty() ? ReceptiveField.INPUT : rows.get(rows.size() - 1).receptiveField();
    }

    public int[] outputShape() {
        return rows.isEmpty() ? inputShape.clone() : rows.get(rows.size() - 1).outputShape();
    }

    /** Parameter scalars, each shared parameter once. */
    public long parameterCount() {
        return totals.parameters();
    }

    public long trainableParameterCount() {
        return totals.trainable();
    }

    /** Multiply-adds of one forward pass on the input shape. */
    public long macs() {
        return totals.macs();
    }

    /** Bytes of the tensors the forward pass made, intermediates included (what backward keeps is at most this). */
    public long activationBytes() {
        return totals.outputBytes();
    }

    @Override
    public String toString() {
        String fmt = "%-22s %-20s %-18s %11s %11s %14s %10s  %s%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, fmt, "name", "layer", "output shape", "params",
                "trainable", "mult-adds", "allocated", "receptive field"));
        sb.append(String.format(Locale.ROOT, fmt, "", "input", Shape.str(inputShape), "", "", "", "",
                inputShape.length == 4 ? ReceptiveField.INPUT : "-"));
        for (Row r : rows) {
            String indent = "  ".repeat(r.depth());
            sb.append(String.format(Locale.ROOT, fmt, indent + r.name(), indent + r.layer(),
                    r.outputShape() == null ? "-" : Shape.str(r.outputShape()), count(r.parameters()),
                    count(r.trainableParameters()), r.macs() < 0 ? "-" : count(r.macs()),
                    r.outputBytes() < 0 ? "-" : bytes(r.outputBytes()), r.receptiveField() == null ? "-" : r.receptiveField()));
        }
        Totals t = totals;
        sb.append(String.format(Locale.ROOT, "total parameters: %d (trainable %s, non-trainable %s)%n", t.parameters(),
                count(t.trainable()), count(t.parameters() - t.trainable())));
        sb.append(String.format(Locale.ROOT, "multiply-adds: %s per forward pass (%s FLOP)%n", count(t.macs()),
                count(2 * t.macs())));
        sb.append(String.format(Locale.ROOT, "memory: input %s, forward outputs %s, parameters %s, buffers %s",
                bytes(t.inputBytes()), bytes(t.outputBytes()), bytes(t.parameterBytes()), bytes(t.bufferBytes())));
        return sb.toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
