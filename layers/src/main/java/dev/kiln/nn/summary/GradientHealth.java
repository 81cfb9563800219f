package dev.kiln.nn.summary;

import dev.kiln.nn.Module;
import dev.kiln.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-layer gradient norms after a backward pass, flagging layers whose gradient has vanished
 * (norm below {@code vanishingBelow}) or exploded (above {@code explodingAbove}). A layer's norm is
 * the L2 norm of the gradients of its own parameters taken together.
 */
public final class GradientHealth {
    public enum Status { OK, VANISHING, EXPLODING, NO_GRADIENT }

    public record Row(String layer, double gradNorm, double paramNorm, Status status) {
    }

    /** Defaults: vanishing below 1e-6, exploding above 1e3 (absolute L2 norms). */
    public static final double VANISHING_BELOW = 1e-6;
    public static final double EXPLODING_ABOVE = 1e3;

    private final List<Row> rows;

    private GradientHealth(List<Row> rows) {
        this.rows = rows;
    }

    public static GradientHealth of(Module model) {
        return of(model, VANISHING_BELOW, EXPLODING_ABOVE);
    }

    public static GradientHealth of(Module model, double vanishingBelow, double explodingAbove) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            double g2 = 0;
            double p2 = 0;
            boolean any = false;
            boolean missing = false;
            for (Map.Entry<String, Parameter> pe : m.namedParameters().entrySet()) {
                if (pe.getKey().contains(".")) {
                    continue; // a descendant's parameter: reported on its own row
                }
                Parameter p = pe.getValue();
                any = true;
                p2 += p.data().detach().square().sum().item();
                if (p.grad() == null) {
                    missing = true;
                } else {
                    g2 += p.grad().square().sum().item();
                }
            }
            if (!any) {
                continue;
            }
            double g = Math.sqrt(g2);
            Status s = missing ? Status.NO_GRADIENT : g < vanishingBelow ? Status.VANISHING
                    : g > explodingAbove || !Double.isFinite(g) ? Status.EXPLODING : Status.OK;
            rows.add(new Row(e.getKey().isEmpty() ? "(model)" : e.getKey(), g, Math.sqrt(p2), s));
        }
        return new GradientHealth(List.copyOf(rows));
    }

    public List<Row> rows() {
        return rows;
    }

    public List<Row> flagged() {
        return rows.stream().filter(r -> r.status() != Status.OK).toList();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-10s %12s %12s  %s%n", "layer", "grad norm", "param norm", "status"));
        for (Row r : rows) {
            sb.append(String.format("%-10s %12.4e %12.4e  %s%n", r.layer(), r.gradNorm(), r.paramNorm(), r.status()));
        }
        return sb.toString();
    }
}
