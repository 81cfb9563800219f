package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.BatchNormReference;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * batch_norm's four CPU primitives against the naive float64 reference, float32 (the float loops) and
 * float64 (the double-scratch body), over 2-D to 4-D shapes, runs longer than a scratch block,
 * non-contiguous and offset views. Worked case: x = [[1, 2], [3, 6]] (N 2, C 2): mean (2, 4), biased
 * variance (1, 4).
 */
class CpuBatchNormTest {
    private static final int[][] SHAPES = {{2, 3}, {4, 3, 5}, {3, 4, 5, 6}, {1, 2, 1, 1}, {2, 2, 70, 70}, {5, 1, 7}};

    record Case(int[] shape, DType dtype, String layout) {
        @Override
        public String toString() {
            return java.util.Arrays.toString(shape) + " " + dtype + " " + layout;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (int[] shape : SHAPES) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (String layout : new String[] {"contiguous", "transposed", "offset"}) {
                    cases.add(new Case(shape, dtype, layout));
                }
            }
        }
        return cases;
    }

    /** Values of the given shape in the given layout: contiguous, stored with dims 0 and 1 swapped, or starting inside the storage. */
    private static Tensor input(long seed, Case c) {
        Generator g = new Generator(seed);
        int[] shape = c.shape();
        switch (c.layout()) {
            case "transposed": {
                int[] swapped = shape.clone();
                swapped[0] = shape[1];
                swapped[1] = shape[0];
                return Tensor.normal(g, 1.5, 2, swapped, c.dtype(), Device.CPU).transpose(0, 1);
            }
            case "offset": {
                int[] big = shape.clone();
                big[0]++;
                return Tensor.normal(g, 1.5, 2, big, c.dtype(), Device.CPU).narrow(0, 1, shape[0]);
            }
            default:
                return Tensor.normal(g, 1.5, 2, shape, c.dtype(), Device.CPU);
        }
    }

    private static Tensor channels(long seed, int c, DType dtype, boolean positive) {
        Tensor t = Tensor.normal(new Generator(seed), 0, 1, new int[] {c}, dtype, Device.CPU);
        return positive ? t.abs().add(0.5) : t;
    }

    private static int spatial(int[] shape) {
        int s = 1;
        for (int d = 2; d < shape.length; d++) {
            s *= shape[d];
        }
        return s;
    }

    /** Sums over many values: float32 results carry the float32 rounding of the inputs' deviations. */
    private static Tolerance tolerance(DType dtype) {
        return Tolerances.BALANCED.of(dtype);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void primitives_matchTheFloat64Reference(Case c) {
        int n = c.shape()[0];
        int ch = c.shape()[1];
        int s = spatial(c.shape());
        Tensor x = input(1, c);
        Tensor gy = input(2, c);
        double[] xs = x.toDoubleArray();
        double[] gs = gy.toDoubleArray();
        Tolerance tol = tolerance(c.dtype());

        Tensor[] stats = Functional.batchNormStats(x);
        double[][] ref = BatchNormReference.stats(xs, n, ch, s);
        tol.assertClose("mean", ref[0], stats[0].toDoubleArray());
        tol.assertClose("variance", ref[1], stats[1].toDoubleArray());

        Tensor mean = stats[0];
        Tensor invstd = stats[1].add(1e-5).rsqrt();
        Tensor w = channels(3, ch, c.dtype(), false);
        Tensor b = channels(4, ch, c.dtype(), false);
        double[] m = mean.toDoubleArray();
        double[] k = invstd.toDoubleArray();
        tol.assertClose("y", BatchNormReference.elemt(xs, n, ch, s, m, k, w.toDoubleArray(), b.toDoubleArray()),
                Functional.batchNormElemt(x, mean, invstd, w, b).toDoubleArray());

        Tensor[] sums = Functional.batchNormBackwardReduce(gy, x, mean);
        double[][] refSums = BatchNormReference.backwardReduce(gs, xs, n, ch, s, m);
        tol.assertClose("sum_dy", refSums[0], sums[0].toDoubleArray());
        tol.assertClose("sum_dy_xmu", refSums[1], sums[1].toDoubleArray());

        long count = (long) n * s;
        double[] sd = sums[0].toDoubleArray();
        double[] sdx = sums[1].toDoubleArray();
        tol.assertClose("gx", BatchNormReference.backwardElemt(gs, xs, n, ch, s, m, k, w.toDoubleArray(), sd, sdx, count),
                Functional.batchNormBackwardElemt(gy, x, mean, invstd, w, sums[0], sums[1], count).toDoubleArray());
        tol.assertClose("gx, statistics held constant",
                BatchNormReference.backwardElemt(gs, xs, n, ch, s, m, k, w.toDoubleArray(), null, null, count),
                Functional.batchNormBackwardElemt(gy, x, mean, invstd, w, null, null, count).toDoubleArray());
    }

    @Test
    void stats_workedCase() {
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 6}, 2, 2);
        Tensor[] stats = Functional.batchNormStats(x);
        assertArrayEquals(new double[] {2, 4}, stats[0].toDoubleArray());
        assertArrayEquals(new double[] {1, 4}, stats[1].toDoubleArray());
    }

    @Test
    void arguments_areCheckedWithTheOpAndShapesNamed() {
        Tensor x = Tensor.zeros(new int[] {2, 3, 4}, DType.FLOAT32, Device.CPU);
        Tensor c3 = Tensor.ones(new int[] {3}, DType.FLOAT32, Device.CPU);
        Tensor c4 = Tensor.ones(new int[] {4}, DType.FLOAT32, Device.CPU);
        assertMessage("batch_norm_stats: expected input (N, C, *) with at least 2 dims, got shape [3]",
                () -> Functional.batchNormStats(c3));
        assertMessage("batch_norm_elemt: expected invstd of shape [3], got [4]",
                () -> Functional.batchNormElemt(x, c3, c4, c3, c3));
        assertMessage("batch_norm_elemt: input is float32 but mean is float64 (shapes [2, 3, 4] and [3])",
                () -> Functional.batchNormElemt(x, Tensor.zeros(new int[] {3}, DType.FLOAT64, Device.CPU), c3, c3, c3));
        assertMessage("batch_norm_backward_reduce: grad_output [2, 3] and input [2, 3, 4] must have the same shape",
                () -> Functional.batchNormBackwardReduce(Tensor.zeros(new int[] {2, 3}, DType.FLOAT32, Device.CPU), x, c3));
        assertMessage("batch_norm_backward_elemt: sum_dy and sum_dy_xmu must be both given or both null",
                () -> Functional.batchNormBackwardElemt(x, x, c3, c3, c3, c3, null, 8));
        assertMessage("batch_norm_stats: input must be float32 or float64, got int64",
                () -> Functional.batchNormStats(Tensor.zeros(new int[] {2, 3}, DType.INT64, Device.CPU)));
    }

    private static void assertMessage(String start, org.junit.jupiter.api.function.Executable call) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
