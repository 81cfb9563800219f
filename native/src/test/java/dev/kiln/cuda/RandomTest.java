package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.Philox;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * arange (copy.cu) and random.cu against the CPU backend: arange, uniform and dropout (values and
 * masks) bit for bit; normal to within the last bits of the libm functions (log, cos) it calls.
 */
class RandomTest {
    private static final Backend CPU = Backends.of(Device.CPU);
    /** (seed, offset): a zero key, a small offset, and counters that cross 2^32 (the counter's high word). */
    private static final long[][] SEEDS_AND_OFFSETS = {{0, 0}, {42, 12345}, {0x9E3779B97F4A7C15L, (1L << 32) - 500}};
    /** Sizes that are multiples of no block: one element, one warp and one, several blocks and a partial one. */
    private static final int[][] SHAPES = {{1}, {33}, {5, 7, 31}};

    static Stream<Target> targets() {
        return Target.all();
    }

    @Test
    void theKeepThresholdIsTheExactIntegerFormOfUAtLeastP() {
        SplittableRandom r = new SplittableRandom(1);
        for (int bits : new int[] {24, 53}) {
            double ulp = Math.scalb(1.0, -bits);
            for (int k = 0; k < 20000; k++) {
                long m = r.nextLong(1L << bits);
                double u = m * ulp;
                // p: the draw itself, its neighbours, and arbitrary doubles (0.1 is no multiple of 2^-bits).
                double[] ps = {u, Math.nextUp(u), Math.nextDown(u), r.nextDouble(), 0.1, 1.0 / 3, 0, 1, -0.5, 2, Double.NaN};
                for (double p : ps) {
                    assertEquals(u >= p, m >= RandomLauncher.keepThreshold(p, bits), "m " + m + " bits " + bits + " p " + p);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void arangeOfEveryDtypeMatchesTheCpu(Target target) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        // (start, step, n): fractional steps, a negative one, float32 rounding at 1e7, linspace's step.
        double[][] cases = {{0.1, 0.3, 1003}, {5, -0.7, 257}, {1e7, 0.1, 300}, {-1, 2.0 / 999, 1000}, {3, 1, 0}};
        for (double[] c : cases) {
            int n = (int) c[2];
            String what = "arange(" + c[0] + ", step " + c[1] + ", n " + n + ")";
            for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tolerances.EXACT.assertClose(what + " " + t, tensor(CPU.arange(c[0], c[1], n, t, Device.CPU)),
                        tensor(gpu.arange(c[0], c[1], n, t, dev)).to(Device.CPU));
            }
        }
        // int64 truncates toward zero and saturates (1e18 + 99e17 > 2^63); bool is v != 0.
        for (double[] c : new double[][] {{-5.5, 0.7, 50}, {1e18, 1e17, 100}, {-1e18, -1e17, 100}}) {
            assertArrayEquals(tensor(CPU.arange(c[0], c[1], (int) c[2], DType.INT64, Device.CPU)).toLongArray(),
                    tensor(gpu.arange(c[0], c[1], (int) c[2], DType.INT64, dev)).toLongArray(), "int64 " + Arrays.toString(c));
        }
        assertArrayEquals(tensor(CPU.arange(-2, 0.5, 9, DType.BOOL, Device.CPU)).toBooleanArray(),
                tensor(gpu.arange(-2, 0.5, 9, DType.BOOL, dev)).toBooleanArray());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void uniformIsBitIdenticalToTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        double[][] ranges = {{0, 1}, {-2, 5}, {1e-3, 1e-3 + 1e-6}};
        for (int i = 0; i < SHAPES.length; i++) {
            for (long[] so : SEEDS_AND_OFFSETS) {
                double[] r = ranges[i];
                String what = "uniform " + Arrays.toString(SHAPES[i]) + " [" + r[0] + ", " + r[1] + ") seed " + so[0]
                        + " offset " + so[1];
                Tolerances.EXACT.assertClose(what, tensor(CPU.uniform(SHAPES[i], dtype, r[0], r[1], so[0], so[1], Device.CPU)),
                        tensor(gpu.uniform(SHAPES[i], dtype, r[0], r[1], so[0], so[1], dev)).to(Device.CPU));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void normalMatchesTheCpuToTheLastBitsOfLogAndCos(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        double[][] meanStd = {{0, 1}, {-3, 2.5}, {1e3, 1e-2}};
        int differing = 0;
        int total = 0;
        for (int i = 0; i < SHAPES.length; i++) {
            for (long[] so : SEEDS_AND_OFFSETS) {
                double mean = meanStd[i][0];
                double std = meanStd[i][1];
                double[] want = tensor(CPU.normal(SHAPES[i], dtype, mean, std, so[0], so[1], Device.CPU)).toDoubleArray();
                double[] got = tensor(gpu.normal(SHAPES[i], dtype, mean, std, so[0], so[1], dev)).toDoubleArray();
                // Both compute Box-Muller in double; log and cos may differ in their last bits (Java's
                // Math vs CUDA's / glibc's, each within 1-2 ulp): allow 8 float64 ulps of
                // |mean| + std |z|. float32 rounds that once more, so one float32 ulp on top.
                for (int k = 0; k < want.length; k++) {
                    double scale = Math.abs(mean) + Math.abs(want[k] - mean);
                    double bound = 8 * Math.ulp(scale) + (dtype == DType.FLOAT32 ? Math.ulp((float) want[k]) : 0);
                    assertTrue(Math.abs(got[k] - want[k]) <= bound, "normal(" + mean + ", " + std + ") seed " + so[0]
                            + " offset " + so[1] + ": element " + k + " is " + got[k] + ", expected " + want[k]);
                    differing += want[k] == got[k] ? 0 : 1;
                }
                total += want.length;
            }
        }
        if (dtype == DType.FLOAT32) {
            // The double results straddle a float32 rounding boundary about once in 10^8 draws.
            assertTrue(differing <= total / 1000, differing + " of " + total + " float32 normals differ from the CPU's");
        }
    }

    /** x with NaN, infinities and -0 planted, of shape (a, b, c), viewed as the strided (c, a, b). */
    private static Both dropoutInput(DType dtype, Device dev, int a, int b, int c) {
        double[] v = Tensor.normal(new Generator(5), 0, 1, new int[] {a * b * c}, DType.FLOAT64, Device.CPU).toDoubleArray();
        for (int i = 0; i < v.length; i += 17) {
            v[i] = i % 3 == 0 ? Double.NaN : i % 3 == 1 ? Double.NEGATIVE_INFINITY : -0.0;
        }
        return Both.of(Tensor.fromArray(v, a, b, c).to(dtype), dev).view(x -> x.permute(2, 0, 1));
    }

    private static void checkDropout(Backend gpu, Both x, double p, long seed, long offset) {
        String what = "dropout p " + p + " seed " + seed + " offset " + offset;
        Tensor[] want = tensors(CPU.dropout(nd(x.cpu()), p, seed, offset));
        Tensor[] got = tensors(gpu.dropout(nd(x.dev()), p, seed, offset));
        assertArrayEquals(want[1].toBooleanArray(), got[1].toBooleanArray(), what + ": mask");
        Tolerances.EXACT.assertClose(what + ": y", want[0], got[0].to(Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void dropoutMasksAndValuesAreBitIdenticalToTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both x = dropoutInput(dtype, dev, 7, 13, 11);   // (11, 7, 13) strided, 1001 elements
        for (long[] so : SEEDS_AND_OFFSETS) {
            for (double p : new double[] {0.1, 0.5, 1.0 / 3, 0.9}) {
                checkDropout(gpu, x, p, so[0], so[1]);
            }
        }
        // p equal to element 5's own draw (word set 5 % per of block offset + 5 / per): u >= p keeps it; one float64
        // ulp more drops it.
        long seed = 77;
        long offset = 1000;
        int per = dtype == DType.FLOAT32 ? 4 : 2;
        int j = 5 % per;
        int[] w = new int[4];
        Philox.block(seed, offset + 5 / per, w);
        double u = dtype == DType.FLOAT32 ? Philox.uniform24(w[j]) : Philox.uniform53(w[2 * j], w[2 * j + 1]);
        assertTrue(tensors(CPU.dropout(nd(x.cpu()), u, seed, offset))[1].toBooleanArray()[5]);
        assertTrue(!tensors(CPU.dropout(nd(x.cpu()), Math.nextUp(u), seed, offset))[1].toBooleanArray()[5]);
        checkDropout(gpu, x, u, seed, offset);
        checkDropout(gpu, x, Math.nextUp(u), seed, offset);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void oneGeneratorSeedGivesTheSameTensorsAndMasksOnEveryDevice(Target target) {
        Device dev = target.use();
        Generator onCpu = new Generator(2024);
        Generator onDev = new Generator(2024);
        for (int step = 0; step < 2; step++) {   // the second draws continue from the advanced offset
            Tolerances.EXACT.assertClose("rand", Tensor.uniform(onCpu, 0, 1, new int[] {4, 9}, DType.FLOAT32, Device.CPU),
                    Tensor.uniform(onDev, 0, 1, new int[] {4, 9}, DType.FLOAT32, dev).to(Device.CPU));
            Tensor x = Tensor.ones(new int[] {6, 10}, DType.FLOAT32, Device.CPU);
            Tensor[] want = Functional.dropoutWithMask(x, 0.3, true, onCpu);
            Tensor[] got = Functional.dropoutWithMask(x.to(dev), 0.3, true, onDev);
            assertArrayEquals(want[1].toBooleanArray(), got[1].toBooleanArray(), "dropout mask, step " + step);
            Tolerances.EXACT.assertClose("dropout", want[0], got[0].to(Device.CPU));
        }
        assertEquals(onCpu.offset(), onDev.offset());
    }
}
