package dev.kiln.property;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A Kiln tensor (usually a non-contiguous view) paired with the naive array holding the values it
 * should have; {@code history} says how it was made, for failure reports.
 */
record Viewed(Tensor kiln, NdArray ref, String history) {
    /** How random values are drawn. */
    enum Values {
        /** Uniform in [-2, 2). */
        CONTINUOUS,
        /** Multiples of 1/2 in [-2, 2], so equal values (ties) are common. */
        HALVES,
        /** 0 or 1 (for bool tensors). */
        BITS
    }

    Viewed {
        assertArrayEquals(ref.shape, kiln.shape(), "view shape of " + history);
    }

    /** A contiguous tensor of {@code base} shape with seeded values, then each view step. */
    static Viewed of(DType dtype, int[] base, List<ViewStep> steps, long seed, Values values) {
        Viewed v = fresh(dtype, base, seed, values);
        for (ViewStep s : steps) {
            v = s.apply(v);
        }
        return v;
    }

    /** A tensor of {@code shape} stored with its dims reversed, read through a permuted (non-contiguous) view. */
    static Viewed permutedOf(DType dtype, int[] shape, long seed, Values values) {
        int r = shape.length;
        int[] reversed = new int[r];
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            reversed[i] = shape[r - 1 - i];
            perm[i] = r - 1 - i;
        }
        Viewed v = fresh(dtype, reversed, seed, values);
        return v.then("permute" + Arrays.toString(perm), v.kiln.permute(perm), v.ref.permute(perm));
    }

    static Viewed fresh(DType dtype, int[] shape, long seed, Values values) {
        Random rnd = new Random(seed);
        double[] d = new double[NdArray.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            switch (values) {
                case HALVES: d[i] = rnd.nextInt(9) / 2.0 - 2; break;
                case BITS: d[i] = rnd.nextBoolean() ? 1 : 0; break;
                default: d[i] = dtype == DType.FLOAT32 ? (float) (4 * rnd.nextDouble() - 2) : 4 * rnd.nextDouble() - 2;
            }
        }
        NdArray ref = new NdArray(shape, d);
        return new Viewed(tensor(dtype, shape, d), ref, dtype + Arrays.toString(shape));
    }

    /** A contiguous Kiln tensor holding exactly these values. */
    static Tensor tensor(DType dtype, int[] shape, double[] d) {
        switch (dtype) {
            case FLOAT32: {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                return Tensor.fromArray(f, shape);
            }
            case FLOAT64: return Tensor.fromArray(d.clone(), shape);
            case INT64: {
                long[] l = new long[d.length];
                for (int i = 0; i < d.length; i++) {
                    l[i] = (long) d[i];
                }
                return Tensor.fromArray(l, shape);
            }
            default: {
                boolean[] b = new boolean[d.length];
                for (int i = 0; i < d.length; i++) {
                    b[i] = d[i] != 0;
                }
                return Tensor.fromArray(b, shape);
            }
        }
    }

    Viewed then(String step, Tensor k, NdArray r) {
        return new Viewed(k, r, history + " -> " + step);
    }

    int[] shape() {
        return ref.shape.clone();
    }

    DType dtype() {
        return kiln.dtype();
    }

    @Override
    public String toString() {
        return history + " = " + Arrays.toString(ref.shape);
    }
}
