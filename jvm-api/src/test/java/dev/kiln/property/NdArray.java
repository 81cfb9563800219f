package dev.kiln.property;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * The naive reference: a row-major double array with explicit index arithmetic. Every view op
 * materialises a new array element by element, so nothing here shares code with Kiln's strides.
 */
final class NdArray {
    final int[] shape;
    final double[] data;

    NdArray(int[] shape, double[] data) {
        if (numel(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel(shape) + " values");
        }
        this.shape = shape.clone();
        this.data = data;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    int rank() {
        return shape.length;
    }

    int numel() {
        return data.length;
    }

    /** Row-major offset of a full index. */
    int offset(int[] idx) {
        int off = 0;
        for (int d = 0; d < shape.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) {
                throw new IndexOutOfBoundsException(Arrays.toString(idx) + " in " + Arrays.toString(shape));
            }
            off = off * shape[d] + idx[d];
        }
        return off;
    }

    double get(int... idx) {
        return data[offset(idx)];
    }

    /** The element a broadcast to {@code idx} (of a rank >= this rank) reads: trailing dims aligned, size 1 repeats. */
    double broadcastGet(int[] idx) {
        int lead = idx.length - shape.length;
        int[] own = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            own[d] = shape[d] == 1 ? 0 : idx[lead + d];
        }
        return get(own);
    }

    /** A new array of {@code shape} with element idx = f(idx), filled in row-major order. */
    static NdArray build(int[] shape, ToDoubleFunction<int[]> f) {
        double[] out = new double[numel(shape)];
        int[] idx = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(idx);
            next(idx, shape);
        }
        return new NdArray(shape, out);
    }

    /** Advances a row-major index by one. */
    static void next(int[] idx, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return;
            }
            idx[d] = 0;
        }
    }

    // ---------------------------------------------------------------- views, materialised

    NdArray permute(int[] perm) {
        int[] s = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = shape[perm[i]];
        }
        return build(s, idx -> {
            int[] src = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                src[perm[i]] = idx[i];
            }
            return get(src);
        });
    }

    /** Elements start, start + step, ... below end along dim (0 <= start <= end <= size). */
    NdArray slice(int dim, int start, int end, int step) {
        int[] s = shape.clone();
        s[dim] = end > start ? (end - start + step - 1) / step : 0;
        return build(s, idx -> {
            int[] src = idx.clone();
            src[dim] = start + idx[dim] * step;
            return get(src);
        });
    }

    NdArray unsqueeze(int dim) {
        int[] s = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            s[i] = i == dim ? 1 : shape[j++];
        }
        return build(s, idx -> {
            int[] src = new int[shape.length];
            for (int i = 0, j = 0; i < idx.length; i++) {
                if (i != dim) {
                    src[j++] = idx[i];
                }
            }
            return get(src);
        });
    }

    /** Broadcast copy to {@code target}. */
    NdArray expand(int[] target) {
        return build(target, this::broadcastGet);
    }

    NdArray reshape(int[] target) {
        return new NdArray(target, data.clone());
    }

    @Override
    public String toString() {
        return "NdArray" + Arrays.toString(shape);
    }
}
