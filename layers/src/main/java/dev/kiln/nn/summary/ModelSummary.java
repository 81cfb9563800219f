package dev.kiln.nn.summary;

import dev.kiln.DType;
import dev.kiln.Device;
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
import java.util.stream.Stream;

/**
 * What {@code torchsummary} shows and more: for a model and an input shape, each layer's output
 * shape, parameter count and receptive field (size, jump, start; dilation, stride, padding and
 * pooling included). Sequentials are walked into; the model runs once on zeros in eval mode under
 * no-grad, so running statistics do not move, and its train/eval mode is restored.
 * The receptive field is tracked while outputs stay (N, C, H, W): layers with a {@link Window}
 * change it, layers keeping H and W (activations, batch norm, dropout) do not, and after any other
 * layer (Flatten, Linear, or a composite whose inner windows are not visible here) it is unknown (null).
 */
public final class ModelSummary {
    /** One row: {@code receptiveField} is null where it is not tracked. */
    public record Row(String name, String layer, int[] outputShape, long parameters, ReceptiveField receptiveField) {
    }

    private final int[] inputShape;
    private final List<Row> rows;

    private ModelSummary(int[] inputShape, List<Row> rows) {
        this.inputShape = inputShape;
        this.rows = rows;
    }

    public static ModelSummary of(Layer model, int... inputShape) {
        boolean training = model.isTraining();
        model.eval();
        List<Row> rows = new ArrayList<>();
        try (var scope = GradMode.noGrad()) {
            Tensor x = zerosLikeParameters(model, inputShape);
            walk("", model, x, inputShape.length == 4 ? ReceptiveField.INPUT : null, rows);
        } finally {
            model.train(training);
        }
        return new ModelSummary(inputShape.clone(), List.copyOf(rows));
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
    private static Object[] walk(String name, Layer layer, Tensor x, ReceptiveField rf, List<Row> rows) {
        if (layer instanceof Sequential seq) {
            for (int i = 0; i < seq.size(); i++) {
                Object[] r = walk(name.isEmpty() ? Integer.toString(i) : name + "." + i, seq.get(i), x, rf, rows);
                x = (Tensor) r[0];
                rf = (ReceptiveField) r[1];
            }
            return new Object[] {x, rf};
        }
        Tensor y = layer.forward(x);
        ReceptiveField out = next(layer, x.shape(), y.shape(), rf);
        rows.add(new Row(name, layer.getClass().getSimpleName(), y.shape(), layer.parameterCount(), out));
        return new Object[] {y, out};
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

    public long parameterCount() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    @Override
    public String toString() {
        String fmt = "%-8s %-18s %-20s %12s  %s%n";
        StringBuilder sb = new StringBuilder(String.format(fmt, "name", "layer", "output shape", "params", "receptive field"));
        sb.append(String.format(fmt, "", "input", Shape.str(inputShape), "", inputShape.length == 4 ? ReceptiveField.INPUT : "-"));
        for (Row r : rows) {
            sb.append(String.format(fmt, r.name(), r.layer(), Shape.str(r.outputShape()), r.parameters(),
                    r.receptiveField() == null ? "-" : r.receptiveField()));
        }
        return sb.append("total parameters: ").append(parameterCount()).toString();
    }
}
