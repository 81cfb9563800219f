package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.BatchNormReference;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * batch_norm.cu's four primitives on every target against the naive float64 reference of the test kit
 * ({@link BatchNormReference}: x (N, C, *) seen as (N, C, S), every sum a plain loop in double). Reductions are one
 * accumulation (BALANCED: the float32 ones sum in double and round once); the elementwise passes
 * compute in the dtype itself, a few ops with cancellation, so BALANCED too.
 */
class BatchNormTest {
    /** Shapes of every rank the SPI takes: 2-D (S = 1), ones, odd sizes, a channel longer than a block. */
    private static final int[][] SHAPES = {{2, 3}, {4, 3, 5}, {3, 4, 5, 6}, {1, 2, 1, 1}, {5, 7, 33}, {3, 2, 700}};

    /** x's (N, C, S). */
    private record Ncs(int n, int c, int s) {
        static Ncs of(int[] shape) {
            return new Ncs(shape[0], shape[1], Arrays.stream(shape).skip(2).reduce(1, (a, b) -> a * b));
        }
    }

    /** The (C) inputs, as tensors on the device and their values (rounded to the dtype). */
    private record Channels(Tensor dev, double[] v) {
        static Channels of(long seed, double center, double spread, int c, DType t, Device dev) {
            Tensor cpu = uniform(seed, center, spread, t, c);
            return new Channels(cpu.to(dev), cpu.toDoubleArray());
        }
    }

    /** center + spread * U(-1, 1) of shape, rounded to t, on the CPU. */
    private static Tensor uniform(long seed, double center, double spread, DType t, int... shape) {
        Random r = new Random(seed);
        double[] v = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Arrays.setAll(v, i -> center + spread * (2 * r.nextDouble() - 1));
        return Tensor.fromArray(v, shape).to(t);
    }

    private static void check(String what, DType t, int[] shape, double[] want, Tensor got) {
        assertArrayEquals(shape, got.shape(), what + ": shape");
        assertEquals(t, got.dtype(), what + ": dtype");
        assertTrue(got.isContiguous(), what + ": contiguous");
        Tolerances.BALANCED.of(t).assertClose(what, want, got.to(Device.CPU).toDoubleArray());
    }

    /** Every primitive on x and gy (device views, and their CPU values), with fresh (C) inputs from seed. */
    private static void checkAll(String what, Backend gpu, Both x, Both gy, long seed) {
        Device dev = x.dev().device();
        DType t = x.dev().dtype();
        int[] shape = x.cpu().shape();
        Ncs d = Ncs.of(shape);
        int[] c = {d.c};
        double[] xs = x.cpu().toDoubleArray();
        double[] gys = gy.cpu().toDoubleArray();

        Tensor[] stats = tensors(gpu.batchNormStats(nd(x.dev())));
        double[][] wantStats = BatchNormReference.stats(xs, d.n, d.c, d.s);
        check(what + " stats mean", t, c, wantStats[0], stats[0]);
        check(what + " stats var", t, c, wantStats[1], stats[1]);

        Channels mean = Channels.of(seed, 0.1, 1, d.c, t, dev);
        Channels invstd = Channels.of(seed + 1, 1, 0.5, d.c, t, dev);
        Channels weight = Channels.of(seed + 2, 0, 2, d.c, t, dev);
        Channels bias = Channels.of(seed + 3, 0, 1, d.c, t, dev);
        check(what + " elemt", t, shape, BatchNormReference.elemt(xs, d.n, d.c, d.s, mean.v, invstd.v, weight.v, bias.v),
                tensor(gpu.batchNormElemt(nd(x.dev()), nd(mean.dev), nd(invstd.dev), nd(weight.dev), nd(bias.dev))));

        Tensor[] sums = tensors(gpu.batchNormBackwardReduce(nd(gy.dev()), nd(x.dev()), nd(mean.dev)));
        double[][] wantSums = BatchNormReference.backwardReduce(gys, xs, d.n, d.c, d.s, mean.v);
        check(what + " backward_reduce sum_dy", t, c, wantSums[0], sums[0]);
        check(what + " backward_reduce sum_dy_xmu", t, c, wantSums[1], sums[1]);

        double[] sumDy = sums[0].to(Device.CPU).toDoubleArray();
        double[] sumDyXmu = sums[1].to(Device.CPU).toDoubleArray();
        long local = (long) d.n * d.s;
        for (long count : new long[] {Math.max(1, local), 3 * local + 1}) {  // this batch's count, and a synced one
            check(what + " backward_elemt count " + count, t, shape,
                    BatchNormReference.backwardElemt(gys, xs, d.n, d.c, d.s, mean.v, invstd.v, weight.v, sumDy, sumDyXmu, count),
                    tensor(gpu.batchNormBackwardElemt(nd(gy.dev()), nd(x.dev()), nd(mean.dev), nd(invstd.dev), nd(weight.dev), nd(sums[0]),
                            nd(sums[1]), count)));
        }
        check(what + " backward_elemt without sums", t, shape,
                BatchNormReference.backwardElemt(gys, xs, d.n, d.c, d.s, mean.v, invstd.v, weight.v, null, null, 0),
                tensor(gpu.batchNormBackwardElemt(nd(gy.dev()), nd(x.dev()), nd(mean.dev), nd(invstd.dev), nd(weight.dev), null, null, 0)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void everyPrimitiveOnContiguousInputsOfEveryRank(Target target, DType t) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        long seed = 1;
        for (int[] shape : SHAPES) {
            seed += 10;
            checkAll("x " + Arrays.toString(shape), gpu, Both.of(uniform(seed, 0.5, 2, t, shape), dev),
                    Both.of(uniform(seed + 5, 0, 1, t, shape), dev), seed);
        }
    }

    /** x a permuted view, gy a narrowed one, the (C) inputs strided: all made contiguous by the launcher. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void stridedViews(Target target, DType t) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both x = Both.of(uniform(3, -1, 3, t, 6, 5, 9), dev).view(v -> v.permute(2, 1, 0));  // (9, 5, 6)
        Both gy = Both.of(uniform(4, 0, 1, t, 11, 5, 6), dev).view(v -> v.narrow(0, 2, 9));
        assertFalse(x.dev().isContiguous());
        checkAll("permuted x, narrowed gy", gpu, x, gy, 50);

        Ncs d = Ncs.of(x.cpu().shape());
        Both mean = Both.of(uniform(5, 0, 1, t, d.c, 2), dev).view(v -> v.select(1, 1));
        assertFalse(mean.dev().isContiguous());
        Tensor[] sums = tensors(gpu.batchNormBackwardReduce(nd(gy.dev()), nd(x.dev()), nd(mean.dev())));
        double[][] want = BatchNormReference.backwardReduce(gy.cpu().toDoubleArray(), x.cpu().toDoubleArray(), d.n, d.c, d.s,
                mean.cpu().toDoubleArray());
        check("backward_reduce with a strided mean", t, new int[] {d.c}, want[1], sums[1]);
    }

    /**
     * A mean of 1000 against a spread of 1 over 2400 values a channel: the two passes in double keep
     * the variance to the reference's accuracy in float32 too. N S == 0 gives NaN mean and variance.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void statsOfALargeMeanAndOfNoValues(Target target, DType t) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor x = uniform(7, 1000, 1, t, 8, 3, 300);
        Tensor[] stats = tensors(gpu.batchNormStats(nd(x.to(dev))));
        double[][] want = BatchNormReference.stats(x.toDoubleArray(), 8, 3, 300);
        Tolerances.STRICT.of(t).assertClose("mean of 1000 + U(-1, 1)", want[0], stats[0].to(Device.CPU).toDoubleArray());
        Tolerances.STRICT.of(t).assertClose("variance of 1000 + U(-1, 1)", want[1], stats[1].to(Device.CPU).toDoubleArray());

        Tensor[] empty = tensors(gpu.batchNormStats(nd(Tensor.fromArray(new double[0], 0, 3, 4).to(t).to(dev))));
        double[] nan = {Double.NaN, Double.NaN, Double.NaN};
        check("mean of no values", t, new int[] {3}, nan, empty[0]);
        check("variance of no values", t, new int[] {3}, nan, empty[1]);
        Tensor none = tensor(gpu.batchNormElemt(nd(Tensor.fromArray(new double[0], 0, 3).to(t).to(dev)), nd(empty[0]), nd(empty[0]),
                nd(empty[0]),
                nd(empty[0])));
        assertArrayEquals(new int[] {0, 3}, none.shape());
    }

    private static void assertMessage(Class<? extends RuntimeException> type, Executable call, String... parts) {
        String message = assertThrows(type, call).getMessage();
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' in: " + message);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void argumentErrorsNameTheOpTheArgumentAndTheShapes(Target target) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        DType t = DType.FLOAT32;
        Tensor x = uniform(1, 0, 1, t, 4, 3, 5).to(dev);
        Tensor c3 = uniform(2, 1, 0.5, t, 3).to(dev);
        Tensor c4 = uniform(3, 1, 0.5, t, 4).to(dev);
        assertMessage(UnsupportedOperationException.class,
                () -> tensors(gpu.batchNormStats(nd(Tensor.fromArray(new long[6], 2, 3).to(dev)))), "batch_norm_stats", "int64");
        assertMessage(IllegalArgumentException.class, () -> tensors(gpu.batchNormStats(nd(uniform(1, 0, 1, t, 5).to(dev)))),
                "batch_norm_stats", "input", "[5]");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormElemt(nd(x), nd(c3), nd(c4), nd(c3), nd(c3))),
                "batch_norm_elemt", "invstd", "[4]", "[4, 3, 5]");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormElemt(nd(x), nd(c3), nd(c3), nd(c3.to(DType.FLOAT64)),
                nd(c3))),
                "batch_norm_elemt", "weight", "float64");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormElemt(nd(x), nd(c3), nd(c3), nd(c3),
                nd(c3.to(Device.CPU)))),
                "batch_norm_elemt", "bias", "cpu");
        assertMessage(IllegalArgumentException.class,
                () -> tensors(gpu.batchNormBackwardReduce(nd(uniform(4, 0, 1, t, 4, 3, 6).to(dev)), nd(x), nd(c3))),
                "batch_norm_backward_reduce", "grad_output", "[4, 3, 6]", "[4, 3, 5]");
        assertMessage(IllegalArgumentException.class, () -> tensors(gpu.batchNormBackwardReduce(nd(x), nd(x), nd(c4))),
                "batch_norm_backward_reduce", "mean", "[4]");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormBackwardElemt(nd(x), nd(x), nd(c3), nd(c3), nd(c3), nd(c3),
                null, 20)),
                "batch_norm_backward_elemt", "sum_dy_xmu");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormBackwardElemt(nd(x), nd(x), nd(c3), nd(c3), nd(c3), nd(c3),
                nd(c4), 20)),
                "batch_norm_backward_elemt", "sum_dy_xmu", "[4]");
        assertMessage(IllegalArgumentException.class, () -> tensor(gpu.batchNormBackwardElemt(nd(x), nd(x), nd(c3), nd(c3), nd(c3), nd(c3),
                nd(c3), -1)),
                "batch_norm_backward_elemt", "count", "-1");
    }
}
