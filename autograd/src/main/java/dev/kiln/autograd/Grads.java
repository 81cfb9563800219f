package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import java.util.Arrays;

/** Small differentiable helpers the derivative rules share. */
final class Grads {
    private Grads() {
    }

    /** A rule's result for its single input or output. */
    static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    /** Sum of the non-null terms (null when all are null): a tangent or gradient with several sources. */
    static Tensor plus(Tensor... terms) {
        Tensor s = null;
        for (Tensor t : terms) {
            if (t != null) {
                s = s == null ? t : s.add(t);
            }
        }
        return s;
    }

    /** Sums g over the dims that broadcasting expanded, so it has {@code shape} again. */
    static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) {
                dims[n++] = d;
            }
        }
        Tensor s = n == 0 ? g : g.sum(Arrays.copyOf(dims, n), true);
        return s.reshape(shape);
    }

    /** A reduced gradient (dims removed unless keepdim) broadcast back over the input's shape. */
    static Tensor expandReduced(Tensor g, int[] inputShape, int[] dims, boolean keepdim) {
        Tensor e = g;
        if (!keepdim) {
            int[] sorted = dims.clone();
            Arrays.sort(sorted);
            for (int d : sorted) {
                e = e.unsqueeze(d);
            }
        }
        return e.expand(inputShape);
    }

    /** All dims of a rank, for full reductions recorded with an explicit dim list. */
    static int count(int[] shape, int[] dims) {
        int c = 1;
        for (int d : dims) {
            c *= shape[d];
        }
        return c;
    }

    static Tensor zeros(int[] shape, DType dtype, Device device) {
        return Tensor.zeros(shape, dtype, device);
    }

    /** t padded with zeros at the end of each dim up to shape. */
    static Tensor padTo(Tensor t, int[] shape) {
        for (int d = 0; d < shape.length; d++) {
            int have = t.size(d);
            if (have < shape[d]) {
                int[] zs = t.shape();
                zs[d] = shape[d] - have;
                t = Tensor.cat(new Tensor[] {t, zeros(zs, t.dtype(), t.device())}, d);
            }
        }
        return t;
    }

    /** Positions start, start + step, ... (n of them) as an int64 index. */
    static Tensor positions(int start, int n, int step, Device device) {
        return Tensor.arange(start, start + (long) n * step, step, DType.INT64, device).narrow(0, 0, n);
    }
}
