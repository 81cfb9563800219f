package dev.kiln.property;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** sum, mean, prod, amax, amin, var and max/min with indices over random dims of random views, against naive loops. */
class ReductionProperties {
    @Provide
    Arbitrary<Viewed> views() {
        return TensorArbitraries.views(Viewed.Values.CONTINUOUS);
    }

    @Provide
    Arbitrary<Viewed> halves() {
        return TensorArbitraries.views(Viewed.Values.HALVES);
    }

    enum Op { SUM, MEAN, PROD, AMAX, AMIN, VAR0, VAR1 }

    /** A random subset of dims (empty means all), sorted or not. */
    private static int[] randomDims(int rank, long seed) {
        Random rnd = new Random(seed);
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (rnd.nextBoolean()) {
                dims.add(rnd.nextBoolean() ? d : d - rank); // negative dims count from the end
            }
        }
        java.util.Collections.shuffle(dims, rnd);
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Reduces ref over the (normalised) dims with f applied to each run of values. */
    static NdArray reduce(NdArray x, int[] dims, boolean keepdim, java.util.function.ToDoubleFunction<double[]> f) {
        int r = x.rank();
        boolean[] reduced = new boolean[r];
        for (int d : dims) {
            reduced[(d + r) % r] = true;
        }
        if (dims.length == 0) {
            java.util.Arrays.fill(reduced, true);
        }
        List<Integer> outShape = new ArrayList<>();
        for (int d = 0; d < r; d++) {
            if (!reduced[d]) {
                outShape.add(x.shape[d]);
            } else if (keepdim) {
                outShape.add(1);
            }
        }
        int[] os = outShape.stream().mapToInt(Integer::intValue).toArray();
        return NdArray.build(os, oidx -> {
            // the kept coordinates of this output element, then every combination of the reduced ones
            int[] full = new int[r];
            for (int d = 0, k = 0; d < r; d++) {
                if (!reduced[d]) {
                    full[d] = oidx[k++];
                } else if (keepdim) {
                    k++;
                }
            }
            List<Double> run = new ArrayList<>();
            collect(x, reduced, full, 0, run);
            return f.applyAsDouble(run.stream().mapToDouble(Double::doubleValue).toArray());
        });
    }

    private static void collect(NdArray x, boolean[] reduced, int[] idx, int d, List<Double> out) {
        if (d == idx.length) {
            out.add(x.get(idx));
            return;
        }
        if (!reduced[d]) {
            collect(x, reduced, idx, d + 1, out);
            return;
        }
        for (int i = 0; i < x.shape[d]; i++) {
            idx[d] = i;
            collect(x, reduced, idx, d + 1, out);
        }
    }

    static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    static double variance(double[] v, int correction) {
        double mean = sum(v) / v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return v.length - correction <= 0 ? (ss == 0 ? Double.NaN : Double.POSITIVE_INFINITY) : ss / (v.length - correction);
    }

    private static double naive(Op op, double[] v) {
        switch (op) {
            case SUM: return sum(v);
            case MEAN: return sum(v) / v.length;
            case PROD: {
                double p = 1;
                for (double x : v) {
                    p *= x;
                }
                return p;
            }
            case AMAX: return java.util.Arrays.stream(v).max().getAsDouble();
            case AMIN: return java.util.Arrays.stream(v).min().getAsDouble();
            case VAR0: return variance(v, 0);
            default: return variance(v, 1);
        }
    }

    private static Tensor kiln(Op op, Tensor x, int[] dims, boolean keepdim) {
        switch (op) {
            case SUM: return x.sum(dims, keepdim);
            case MEAN: return x.mean(dims, keepdim);
            case PROD: return x.prod(dims, keepdim);
            case AMAX: return x.amax(dims, keepdim);
            case AMIN: return x.amin(dims, keepdim);
            case VAR0: return x.var(dims, 0, keepdim);
            default: return x.var(dims, 1, keepdim);
        }
    }

    private static boolean emptyReducedDim(int[] shape, int[] dims) {
        if (dims.length == 0) {
            return NdArray.numel(shape) == 0;
        }
        for (int d : dims) {
            if (shape[(d + shape.length) % shape.length] == 0) {
                return true;
            }
        }
        return false;
    }

    @Property(tries = 200)
    void reductionOverRandomDimsMatchesNaive(@ForAll("views") Viewed x, @ForAll Op op, @ForAll long seed,
                                             @ForAll boolean keepdim) {
        int[] dims = randomDims(x.ref().rank(), seed);
        // an extreme of nothing is an error (checked in ErrorMessagesTest)
        Assume.that(!((op == Op.AMAX || op == Op.AMIN) && emptyReducedDim(x.shape(), dims)));
        Tensor out = kiln(op, x.kiln(), dims, keepdim);
        NdArray ref = reduce(x.ref(), dims, keepdim, v -> naive(op, v));
        Tolerances.Level level = op == Op.PROD || op.name().startsWith("VAR") ? Tolerances.PERMISSIVE : Tolerances.BALANCED;
        assertClose(op + " over " + java.util.Arrays.toString(dims) + " keepdim " + keepdim + " of " + x,
                Viewed.tensor(x.dtype(), ref.shape, ref.data), out, level);
    }

    @Property(tries = 150)
    void maxMinAlongADimGiveTheFirstExtremeAndItsIndex(@ForAll("halves") Viewed x, @ForAll boolean max,
                                                        @ForAll boolean keepdim, @ForAll int dimSeed) {
        int r = x.ref().rank();
        int dim = r == 0 ? 0 : Math.floorMod(dimSeed, 2 * r) - r; // negative dims too
        Assume.that(r == 0 || x.shape()[(dim + r) % r] > 0);
        Tensor.ValuesIndices vi = max ? x.kiln().max(dim, keepdim) : x.kiln().min(dim, keepdim);
        int[] dims = r == 0 ? new int[0] : new int[] {dim};
        NdArray values = reduce(x.ref(), dims, keepdim, v -> naive(max ? Op.AMAX : Op.AMIN, v));
        NdArray indices = reduce(x.ref(), dims, keepdim, v -> {
            int best = 0;
            for (int i = 1; i < v.length; i++) {
                if (max ? v[i] > v[best] : v[i] < v[best]) {
                    best = i;
                }
            }
            return best;
        });
        String what = (max ? "max" : "min") + " along " + dim + " of " + x;
        assertClose(what, Viewed.tensor(x.dtype(), values.shape, values.data), vi.values(), Tolerances.EXACT);
        assertClose(what, Viewed.tensor(DType.INT64, indices.shape, indices.data), vi.indices(), Tolerances.EXACT);
    }
}
