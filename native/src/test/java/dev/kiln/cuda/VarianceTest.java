package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** reduce.cu's var_rows against the CPU backend (two passes in double). */
class VarianceTest {
    private static final Backend CPU = Backends.of(Device.CPU);

    /** mean + N(0, 1) of shape (a, b, c), viewed as the strided (c, a, b) on the CPU and the device. */
    private static Both permuted(long seed, DType dtype, Device dev, double mean, int a, int b, int c) {
        return Both.of(Tensor.normal(new Generator(seed), mean, 1, new int[] {a, b, c}, dtype, Device.CPU), dev)
                .view(x -> x.permute(2, 0, 1));
    }

    private static void check(Backend gpu, Both x, int[] dims, double correction, boolean keepdim, Tolerance tol) {
        String what = "var" + Arrays.toString(dims) + " correction " + correction + " keepdim " + keepdim;
        Tensor want = tensor(CPU.variance(nd(x.cpu()), dims, correction, keepdim));
        Tensor got = tensor(gpu.variance(nd(x.dev()), dims, correction, keepdim));
        assertArrayEquals(want.shape(), got.shape(), what);
        assertTrue(got.dtype() == x.cpu().dtype(), what);
        tol.assertClose(what, want, got.to(Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void overAnyDimsWithAndWithoutCorrection(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both x = permuted(11, dtype, dev, 0.5, 9, 70, 5);    // (5, 9, 70) strided
        int[][] dimSets = {{2}, {0}, {0, 2}, {1}, {0, 1, 2}};
        for (int[] dims : dimSets) {
            check(gpu, x, dims, 0, false, Tolerances.BALANCED.of(dtype));
            check(gpu, x, dims, 1, true, Tolerances.BALANCED.of(dtype));
        }
        check(gpu, x, new int[] {1, 2}, 2.5, false, Tolerances.BALANCED.of(dtype));  // a fractional correction
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void aMeanLargeAgainstTheSpreadKeepsItsAccuracy(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        // float32 1e4 + N(0, 1): E[x^2] - E[x]^2 would lose everything (float eps * 1e8 = 6 >> var 1);
        // float64 1e6 + N(0, 1): it would keep only 4 digits (double eps * 1e12 = 2e-4).
        double mean = dtype == DType.FLOAT32 ? 1e4 : 1e6;
        Both x = permuted(12, dtype, dev, mean, 3, 1000, 4);   // (4, 3, 1000) strided
        for (int[] dims : new int[][] {{2}, {0, 2}, {0, 1, 2}}) {
            check(gpu, x, dims, 1, false, Tolerances.BALANCED.of(dtype));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void fewLongRowsAreSplitIntoChunksAndMerged(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        // 3 rows of 2 chunks and a partial one (var_chunks + var_merge), the mean large against the spread.
        int inner = 2 * ReduceLauncher.CHUNK + 808;
        double mean = dtype == DType.FLOAT32 ? 1e4 : 1e6;
        Both x = Both.of(Tensor.normal(new Generator(14), mean, 1, new int[] {inner, 3}, dtype, Device.CPU), dev)
                .view(Tensor::t);   // (3, inner) strided
        check(gpu, x, new int[] {1}, 1, false, Tolerances.BALANCED.of(dtype));
        check(gpu, x, new int[] {1}, 0, true, Tolerances.BALANCED.of(dtype));
        check(gpu, x, new int[] {0, 1}, 1, false, Tolerances.BALANCED.of(dtype));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void degenerateRowsGiveZeroInfinityOrNaN(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both x = permuted(13, dtype, dev, 0, 4, 1, 6);   // (6, 4, 1)
        check(gpu, x, new int[] {2}, 0, false, Tolerances.EXACT);     // one element: 0
        check(gpu, x, new int[] {2}, 1, true, Tolerances.EXACT);      // 0 / 0: NaN
        check(gpu, x, new int[] {}, 0, false, Tolerances.EXACT);      // no dims: every element alone
        check(gpu, x, new int[] {1}, 4, false, Tolerances.EXACT);     // n - correction = 0: +inf
        Both empty = Both.of(Tensor.zeros(new int[] {3, 0}, dtype, Device.CPU), dev);
        check(gpu, empty, new int[] {1}, 0, false, Tolerances.EXACT); // no elements: the mean 0 / 0, NaN
        // A constant row: the mean of 77 x 0.1 rounds, so the CPU's float64 two-pass leaves ~1e-33;
        // the corrected two-pass gives 0 (and clamps a rounding below 0, which sqrt would make NaN).
        Both constant = Both.of(Tensor.full(new int[] {3, 77}, 0.1, dtype, Device.CPU), dev);
        check(gpu, constant, new int[] {1}, 1, false, new Tolerance(0, 1e-30));
        for (double v : tensor(gpu.variance(nd(constant.dev()), new int[] {1}, 1, false)).toDoubleArray()) {
            assertTrue(v >= 0, "variance of a constant row is " + v);
        }
    }
}
