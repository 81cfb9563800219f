package dev.kiln;

import java.util.Locale;

/**
 * PyTorch-like printing: {@code tensor([[1.0000, 2.5000], ...], shape=[2, 2], dtype=float32, device=cpu)}.
 * Tensors over 1000 elements show the first and last 3 entries of each dim, as torch's default.
 */
final class TensorFormatter {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private TensorFormatter() {
    }

    static String format(Tensor t) {
        Tensor host = t.detach().to(Device.CPU);
        boolean summarize = t.numel() > THRESHOLD;
        Style style = Style.of(host, summarize);
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.dim() == 0) {
            sb.append(style.format(host.item()));
        } else {
            appendDim(sb, host, style, summarize, 7);
        }
        sb.append(", shape=").append(Shape.str(t.shape())).append(", dtype=").append(t.dtype())
                .append(", device=").append(t.device());
        if (t.gradFn() != null) {
            sb.append(", grad_fn=<").append(t.gradFn().name()).append('>');
        } else if (t.requiresGrad()) {
            sb.append(", requires_grad=true");
        }
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, Style style, boolean summarize, int indent) {
        int n = t.size(0);
        sb.append('[');
        boolean skip = summarize && n > 2 * EDGE;
        for (int i = 0; i < n; i++) {
            if (skip && i == EDGE) {
                // as torch: a " ..." entry in a row, a "..." row followed by the usual separator between rows
                sb.append(t.dim() == 1 ? " ..., " : "...," + "\n".repeat(t.dim() - 1) + " ".repeat(indent + 1));
                i = n - EDGE - 1;
                continue;
            }
            if (t.dim() == 1) {
                sb.append(style.format(t.get(i)));
            } else {
                appendDim(sb, t.select(0, i), style, summarize, indent + 1);
            }
            if (i < n - 1) {
                sb.append(',');
                sb.append(t.dim() == 1 ? " " : "\n".repeat(t.dim() - 1) + " ".repeat(indent + 1));
            }
        }
        sb.append(']');
    }

    /** Fixed-point, scientific, integer or bool rendering with one width, chosen from the shown values. */
    private record Style(DType dtype, boolean integral, boolean scientific, int width) {
        static Style of(Tensor t, boolean summarize) {
            double[] v = t.numel() == 0 ? new double[0] : t.to(DType.FLOAT64).toDoubleArray();
            boolean integral = true;
            double maxAbs = 0;
            double minAbs = Double.MAX_VALUE;
            for (double x : v) {
                if (!Double.isFinite(x)) {
                    continue;
                }
                integral &= x == Math.rint(x);
                double a = Math.abs(x);
                maxAbs = Math.max(maxAbs, a);
                if (a > 0) {
                    minAbs = Math.min(minAbs, a);
                }
            }
            boolean sci = t.dtype().isFloatingPoint() && (maxAbs >= 1e8 || (minAbs < 1e-4 && !integral)
                    || (minAbs != Double.MAX_VALUE && maxAbs / minAbs > 1000 && !integral));
            Style probe = new Style(t.dtype(), integral, sci, 0);
            int width = 0;
            for (double x : v) {
                width = Math.max(width, probe.format(x).length());
            }
            return new Style(t.dtype(), integral, sci, width);
        }

        String format(double x) {
            String s;
            if (dtype == DType.BOOL) {
                s = x != 0 ? "True" : "False";
            } else if (dtype == DType.INT64) {
                s = Long.toString((long) x);
            } else if (Double.isNaN(x)) {
                s = "nan";
            } else if (Double.isInfinite(x)) {
                s = x > 0 ? "inf" : "-inf";
            } else if (scientific) {
                s = String.format(Locale.ROOT, "%.4e", x);
            } else if (integral) {
                s = String.format(Locale.ROOT, "%.0f.", x);
            } else {
                s = String.format(Locale.ROOT, "%.4f", x);
            }
            return width > s.length() ? " ".repeat(width - s.length()) + s : s;
        }
    }
}
