package dev.kiln.cpu;

import static dev.kiln.cpu.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** max/avg pool2d through Functional, against naive double-precision loops over kernel taps and PyTorch values. */
class CpuPool2dTest {
    /**
     * The 2x2 stride-2 float32 fast paths (max forward and backward, avg forward) give the general path's
     * bits: the general one is reached by the same windows with a divisor override of 4 (avg), or by
     * float64 rounded to float32 (max, whose result is an input value), on contiguous and permuted input.
     */
    @Test
    void halvingFastPathsMatchTheGeneralPathBitForBit() {
        Tensor base = Tensor.randn(new Generator(12), 2, 3, 9, 8);
        for (Tensor x : new Tensor[] {base, base.permute(0, 1, 3, 2).contiguous().permute(0, 1, 3, 2)}) {
            Pool2dParams p = Pool2dParams.of(2);
            Pool2dParams overridden = new Pool2dParams(2, 2, 2, 2, 0, 0, 1, 1, false, true, 4);
            assertArrayEquals(Functional.avgPool2d(x, overridden).toFloatArray(), Functional.avgPool2d(x, p).toFloatArray());
            Tensor[] fast = Functional.maxPool2dWithIndices(x, p);
            Tensor[] wide = Functional.maxPool2dWithIndices(x.to(DType.FLOAT64), p);
            assertArrayEquals(wide[0].to(DType.FLOAT32).toFloatArray(), fast[0].toFloatArray());
            assertArrayEquals(wide[1].toLongArray(), fast[1].toLongArray());
            Tensor gy = Tensor.randn(new Generator(13), fast[0].shape());
            assertArrayEquals(Functional.maxPool2dBackward(gy.to(DType.FLOAT64), wide[1], x.shape(), p).to(DType.FLOAT32)
                    .toFloatArray(), Functional.maxPool2dBackward(gy, fast[1], x.shape(), p).toFloatArray());
        }
    }

    /** float64, the same sums in another order. */
    private static final Tolerance FLOAT64_REORDERED = new Tolerance(1e-12, 1e-12);
    /** float32 outputs, or finite differences. */
    private static final Tolerance FLOAT32_OR_FINITE_DIFFERENCES = new Tolerance(1e-6, 1e-6);

    /** One pooling geometry over an input (N, C, H, W). */
    private record Case(int n, int c, int h, int w, Pool2dParams p) {
        int[] shape() {
            return new int[] {n, c, h, w};
        }

        @Override
        public String toString() {
            return "x" + java.util.Arrays.toString(shape()) + " " + p;
        }
    }

    private static Pool2dParams params(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceil,
                                       boolean countPad) {
        return new Pool2dParams(kh, kw, sh, sw, ph, pw, dh, dw, ceil, countPad);
    }

    static Stream<Case> maxCases() {
        return Stream.of(
                new Case(2, 3, 7, 8, params(3, 3, 2, 2, 1, 1, 2, 2, true, true)), // dilation 2, ceil, padding 1
                new Case(1, 2, 5, 5, params(2, 2, 2, 2, 0, 0, 1, 1, true, true)), // ceil: a last window of one row
                new Case(2, 1, 6, 9, params(3, 2, 1, 3, 1, 1, 1, 2, false, true)), // overlapping rows, dilated cols
                new Case(1, 2, 5, 7, params(5, 7, 5, 7, 0, 0, 1, 1, false, true)), // kernel == input
                new Case(3, 2, 1, 1, params(1, 1, 1, 1, 0, 0, 1, 1, false, true)), // 1x1 image
                new Case(1, 1, 1, 1, params(2, 2, 2, 2, 1, 1, 1, 1, true, true)), // 1x1 image inside padding
                new Case(1, 3, 11, 4, params(4, 3, 3, 2, 2, 1, 1, 1, true, true)),
                // 2x2 stride 2 (float32's in-place path): an odd last row and column left out, then even sizes
                new Case(2, 3, 7, 9, params(2, 2, 2, 2, 0, 0, 1, 1, false, true)),
                new Case(1, 2, 6, 8, params(2, 2, 2, 2, 0, 0, 1, 1, false, true)));
    }

    static Stream<Case> avgCases() {
        return Stream.of(
                new Case(2, 3, 7, 8, params(3, 3, 2, 2, 1, 1, 1, 1, true, true)),
                new Case(2, 3, 7, 8, params(3, 3, 2, 2, 1, 1, 1, 1, true, false)),
                new Case(1, 2, 6, 6, params(3, 3, 2, 2, 1, 1, 1, 1, true, true)), // last window past the padding
                new Case(1, 2, 5, 5, params(2, 2, 2, 2, 0, 0, 1, 1, true, false)),
                new Case(2, 1, 6, 9, params(3, 2, 1, 3, 1, 1, 1, 1, false, true)),
                new Case(1, 2, 5, 7, params(5, 7, 5, 7, 0, 0, 1, 1, false, true)), // kernel == input
                new Case(3, 2, 1, 1, params(1, 1, 1, 1, 0, 0, 1, 1, false, true)),
                new Case(1, 1, 1, 1, params(2, 2, 2, 2, 1, 1, 1, 1, true, true)), // 1x1 image: x / 4
                new Case(1, 3, 11, 4, params(4, 3, 3, 2, 2, 1, 1, 1, true, false)));
    }

    private static Tensor random(long seed, int[] shape, DType dtype) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, dtype, Device.CPU);
    }

    /** x (N, C, H, W) as a non-contiguous view: a permuted (N, H, W, C) tensor. */
    private static Tensor permutedView(long seed, int[] shape, DType dtype) {
        return random(seed, new int[] {shape[0], shape[2], shape[3], shape[1]}, dtype).permute(0, 3, 1, 2);
    }

    /** x (N, C, H, W) as a non-contiguous view: the middle of a larger tensor. */
    private static Tensor narrowedView(long seed, int[] shape, DType dtype) {
        Tensor big = random(seed, new int[] {shape[0], shape[1], shape[2] + 3, shape[3] + 2}, dtype);
        return big.narrow(2, 1, shape[2]).narrow(3, 2, shape[3]);
    }

    // ---------------------------------------------------------------- naive references

    /** Taps of window (o) along one axis: o * s - p + t * d for t < k. */
    private static int tap(int o, int t, int s, int p, int d) {
        return o * s - p + t * d;
    }

    /** Returns {values, indices as doubles}; a tap wins when greater or NaN (PyTorch's rule). */
    private static double[][] naiveMax(double[] x, int[] shape, Pool2dParams p) {
        int h = shape[2];
        int w = shape[3];
        int oh = p.outH(h);
        int ow = p.outW(w);
        int planes = shape[0] * shape[1];
        double[] val = new double[planes * oh * ow];
        double[] idx = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int a = 0; a < p.kernelH(); a++) {
                        for (int b = 0; b < p.kernelW(); b++) {
                            int r = tap(i, a, p.strideH(), p.padH(), p.dilationH());
                            int c = tap(j, b, p.strideW(), p.padW(), p.dilationW());
                            if (r < 0 || r >= h || c < 0 || c >= w) {
                                continue;
                            }
                            double v = x[pl * h * w + r * w + c];
                            if (at < 0 || v > best || Double.isNaN(v)) {
                                best = v;
                                at = r * w + c;
                            }
                        }
                    }
                    val[pl * oh * ow + i * ow + j] = best;
                    idx[pl * oh * ow + i * ow + j] = at;
                }
            }
        }
        return new double[][] {val, idx};
    }

    /** Divisor as PyTorch: taps inside input + padding (count_include_pad) or inside the input. */
    private static double[] naiveAvg(double[] x, int[] shape, Pool2dParams p) {
        int h = shape[2];
        int w = shape[3];
        int oh = p.outH(h);
        int ow = p.outW(w);
        int planes = shape[0] * shape[1];
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = 0;
                    int inside = 0;
                    int padded = 0;
                    for (int a = 0; a < p.kernelH(); a++) {
                        for (int b = 0; b < p.kernelW(); b++) {
                            int r = tap(i, a, p.strideH(), p.padH(), 1);
                            int c = tap(j, b, p.strideW(), p.padW(), 1);
                            if (r < h + p.padH() && c < w + p.padW()) {
                                padded++;
                            }
                            if (r >= 0 && r < h && c >= 0 && c < w) {
                                inside++;
                                sum += x[pl * h * w + r * w + c];
                            }
                        }
                    }
                    y[pl * oh * ow + i * ow + j] = sum / (p.countIncludePad() ? padded : inside);
                }
            }
        }
        return y;
    }

    /** The adjoint of naiveAvg: gx = sum over windows of gy / divisor. */
    private static double[] naiveAvgBackward(double[] gy, int[] shape, Pool2dParams p) {
        int n = shape[0] * shape[1] * shape[2] * shape[3];
        double[] gx = new double[n];
        double[] unit = new double[n];
        // avg pool is linear: column q of its matrix is naiveAvg(e_q), so gx[q] = <gy, naiveAvg(e_q)>
        for (int q = 0; q < n; q++) {
            unit[q] = 1;
            gx[q] = NumericGrad.dot(naiveAvg(unit, shape, p), gy);
            unit[q] = 0;
        }
        return gx;
    }

    private static double[] longsToDoubles(long[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    // ---------------------------------------------------------------- max pool

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPool2d_float64_permutedAndNarrowedViews_matchNaiveValuesAndIndices(Case c) {
        for (Tensor x : new Tensor[] {random(1, c.shape(), DType.FLOAT64), permutedView(2, c.shape(), DType.FLOAT64),
                narrowedView(3, c.shape(), DType.FLOAT64)}) {
            Tensor[] r = Functional.maxPool2dWithIndices(x, c.p());
            double[][] ref = naiveMax(x.toDoubleArray(), c.shape(), c.p());
            assertArrayEquals(new int[] {c.n(), c.c(), c.p().outH(c.h()), c.p().outW(c.w())}, r[0].shape());
            assertArrayEquals(ref[0], r[0].toDoubleArray(), "values");
            assertArrayEquals(ref[1], longsToDoubles(r[1].toLongArray()), "indices");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPool2d_float32_matchesNaiveExactly(Case c) {
        Tensor x = permutedView(4, c.shape(), DType.FLOAT32);
        Tensor[] r = Functional.maxPool2dWithIndices(x, c.p());
        double[][] ref = naiveMax(x.toDoubleArray(), c.shape(), c.p());
        assertArrayEquals(ref[0], r[0].toDoubleArray(), "values"); // a max is one of the inputs, exactly
        assertArrayEquals(ref[1], longsToDoubles(r[1].toLongArray()), "indices");
        assertTrue(r[0].dtype() == DType.FLOAT32);
    }

    @Test
    void maxPool2d_dilation2_ceilMode_padding1_matchesPyTorch() {
        // x = ((arange(42) * 17) % 43).reshape(1, 1, 6, 7); golden from
        // /usr/bin/python3 -c "import torch,torch.nn.functional as F; y=((torch.arange(42)*17)%43).double().reshape(1,1,6,7);
        //   print(F.max_pool2d(y,3,2,1,2,ceil_mode=True,return_indices=True))"
        double[] x = new double[42];
        for (int i = 0; i < 42; i++) {
            x[i] = (i * 17) % 43;
        }
        Tensor[] r = Functional.maxPool2dWithIndices(Tensor.fromArray(x, 1, 1, 6, 7), Pool2dParams.of(3, 2, 1, 2, true));
        assertArrayEquals(new int[] {1, 1, 3, 3}, r[0].shape());
        assertArrayEquals(new double[] {41, 41, 41, 41, 41, 41, 30, 35, 35}, r[0].toDoubleArray());
        assertArrayEquals(new long[] {10, 10, 10, 10, 10, 10, 22, 40, 40}, r[1].toLongArray());
    }

    @Test
    void maxPool2d_kernel2_handWorked() {
        // x (1, 1, 2, 4) = [[1, 5, 2, 0], [3, 4, 7, 6]]: windows {1, 5, 3, 4} -> 5 at 1, {2, 0, 7, 6} -> 7 at 6
        Tensor x = Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 4, 7, 6}, 1, 1, 2, 4);
        Tensor[] r = Functional.maxPool2dWithIndices(x, Pool2dParams.of(2));
        assertArrayEquals(new float[] {5, 7}, r[0].toFloatArray());
        assertArrayEquals(new long[] {1, 6}, r[1].toLongArray());
    }

    @Test
    void maxPool2d_nanAndNegativeInfinity_followPyTorch() {
        // /usr/bin/python3 -c "import torch,torch.nn.functional as F; n=float('nan'); i=float('inf');
        //   print(F.max_pool2d(torch.tensor([[[[1.,n,3.,n],[-i,-i,2,0],[0,0,0,0]]]]),2,return_indices=True))"
        //   -> values [nan, nan], indices [1, 3] (a NaN wins, and a later NaN replaces an earlier one)
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        Tensor x = Tensor.fromArray(new float[] {1, (float) nan, 3, (float) nan, (float) -inf, (float) -inf, 2, 0, 0, 0, 0, 0},
                1, 1, 3, 4);
        Tensor[] r = Functional.maxPool2dWithIndices(x, Pool2dParams.of(2));
        assertArrayEquals(new double[] {nan, nan}, r[0].toDoubleArray());
        assertArrayEquals(new long[] {1, 3}, r[1].toLongArray());
        // all -inf with padding 1: PyTorch reports the first in-input tap of each window
        //   F.max_pool2d(torch.full((1,1,3,3),-i),2,1,1,return_indices=True) -> indices [[0,0,1,2],[0,0,1,2],[3,3,4,5],[6,6,7,8]]
        Tensor[] m = Functional.maxPool2dWithIndices(Tensor.full(new int[] {1, 1, 3, 3}, -inf, DType.FLOAT64, Device.CPU),
                Pool2dParams.of(2, 1, 1, 1, false));
        assertArrayEquals(new long[] {0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8}, m[1].toLongArray());
    }

    /**
     * float32 2x2 pools take their own path (two rows reduced side by side): on every window of four taps
     * drawn from NaNs (two payloads), infinities, signed zeros, ties and ordinary values it picks the tap
     * the float64 scan picks, with the same value bits.
     */
    @Test
    void maxPool2d_float32Halving_picksTheScansTapOnEverySpecialWindow() {
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.NEGATIVE_INFINITY, -1f, -0f, 0f, 1f,
            Float.POSITIVE_INFINITY, 1f};
        int k = special.length;
        int windows = k * k * k * k;
        float[] x = new float[2 * 2 * windows]; // (2, 2 * windows): window i is columns 2i, 2i + 1 of both rows
        for (int i = 0; i < windows; i++) {
            x[2 * i] = special[i % k];
            x[2 * i + 1] = special[i / k % k];
            x[2 * windows + 2 * i] = special[i / (k * k) % k];
            x[2 * windows + 2 * i + 1] = special[i / (k * k * k)];
        }
        Tensor t = Tensor.fromArray(x, 1, 1, 2, 2 * windows);
        Tensor[] f32 = Functional.maxPool2dWithIndices(t, Pool2dParams.of(2));
        Tensor[] f64 = Functional.maxPool2dWithIndices(t.to(DType.FLOAT64), Pool2dParams.of(2));
        assertArrayEquals(f64[1].toLongArray(), f32[1].toLongArray());
        float[] got = f32[0].toFloatArray();
        double[] want = f64[0].toDoubleArray();
        for (int i = 0; i < windows; i++) {
            assertEquals(Float.floatToIntBits((float) want[i]), Float.floatToIntBits(got[i]), "window " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxCases")
    void maxPool2dBackward_float64_matchesFiniteDifferencesAndScatter(Case c) {
        Tensor x = permutedView(5, c.shape(), DType.FLOAT64);
        Tensor[] r = Functional.maxPool2dWithIndices(x, c.p());
        Tensor gy = random(6, r[0].shape(), DType.FLOAT64);
        double[] w = gy.toDoubleArray();
        double[] gx = Functional.maxPool2dBackward(gy, r[1], c.shape(), c.p()).toDoubleArray();
        double[] numeric = NumericGrad.of(v -> NumericGrad.dot(
                Functional.maxPool2d(Tensor.fromArray(v, c.shape()), c.p()).toDoubleArray(), w), x.toDoubleArray(), 1e-6);
        assertClose("gx vs finite differences", numeric, gx, FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
        // overlapping windows pick the same input more than once: gx sums their gradients
        double[] scatter = new double[x.numel()];
        double[][] ref = naiveMax(x.toDoubleArray(), c.shape(), c.p());
        int plane = c.h() * c.w();
        int outPlane = r[0].numel() / (c.n() * c.c());
        for (int o = 0; o < w.length; o++) {
            scatter[(o / outPlane) * plane + (int) ref[1][o]] += w[o];
        }
        assertClose("gx vs naive scatter", scatter, gx, FLOAT64_REORDERED.rtol(), FLOAT64_REORDERED.atol());
    }

    @Test
    void maxPool2dBackward_float32_transposedGradient_scattersByIndices() {
        Tensor x = random(7, new int[] {2, 2, 5, 6}, DType.FLOAT32);
        Pool2dParams p = Pool2dParams.of(3, 1, 1, 1, false); // stride 1: most inputs win several windows
        Tensor[] r = Functional.maxPool2dWithIndices(x, p);
        Tensor gy = random(8, new int[] {2, 2, 6, 5}, DType.FLOAT32).transpose(2, 3); // (2, 2, 5, 6) view
        double[] g = gy.toDoubleArray();
        long[] idx = r[1].toLongArray();
        double[] expected = new double[x.numel()];
        for (int o = 0; o < g.length; o++) {
            expected[(o / 30) * 30 + (int) idx[o]] += g[o];
        }
        double[] gx = Functional.maxPool2dBackward(gy, r[1], x.shape(), p).toDoubleArray();
        assertClose("gx", expected, gx, FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
    }

    // ---------------------------------------------------------------- avg pool

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPool2d_views_matchNaive(Case c) {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tolerance tol = dtype == DType.FLOAT64 ? FLOAT64_REORDERED : FLOAT32_OR_FINITE_DIFFERENCES;
            for (Tensor x : new Tensor[] {permutedView(9, c.shape(), dtype), narrowedView(10, c.shape(), dtype)}) {
                double[] y = Functional.avgPool2d(x, c.p()).toDoubleArray();
                assertClose(dtype + " y", naiveAvg(x.toDoubleArray(), c.shape(), c.p()), y, tol.rtol(), tol.atol());
            }
        }
    }

    @Test
    void avgPool2d_ceilMode_edgeWindows_matchPyTorch() {
        // x = arange(36).reshape(1, 1, 6, 6), kernel 3, stride 2, padding 1, ceil_mode; golden from
        // /usr/bin/python3 -c "import torch,torch.nn.functional as F; x=torch.arange(36.).reshape(1,1,6,6).double();
        //   print(F.avg_pool2d(x,3,2,1,ceil_mode=True,count_include_pad=True).flatten().tolist())"  (and False)
        // The last row/column of windows starts at 5 and is clipped to input + padding = 7: corner = 35 / 4.
        Tensor x = Tensor.arange(0, 36, 1, DType.FLOAT64, Device.CPU).reshape(1, 1, 6, 6);
        Pool2dParams withPad = new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, true, true);
        Pool2dParams withoutPad = new Pool2dParams(3, 3, 2, 2, 1, 1, 1, 1, true, false);
        assertClose("count_include_pad", new double[] {1.5555555555555556, 3.3333333333333335, 4.666666666666667,
                2.6666666666666665, 8.333333333333334, 14.0, 16.0, 8.5, 16.333333333333332, 26.0, 28.0, 14.5,
                10.166666666666666, 16.0, 17.0, 8.75}, Functional.avgPool2d(x, withPad).toDoubleArray(),
                FLOAT64_REORDERED.rtol(), FLOAT64_REORDERED.atol());
        assertClose("exclude pad", new double[] {3.5, 5.0, 7.0, 8.0, 12.5, 14.0, 16.0, 17.0, 24.5, 26.0, 28.0, 29.0,
                30.5, 32.0, 34.0, 35.0}, Functional.avgPool2d(x, withoutPad).toDoubleArray(),
                FLOAT64_REORDERED.rtol(), FLOAT64_REORDERED.atol());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("avgCases")
    void avgPool2dBackward_float64_matchesFiniteDifferencesAndAdjoint(Case c) {
        Tensor gy = random(11, new int[] {c.n(), c.c(), c.p().outH(c.h()), c.p().outW(c.w())}, DType.FLOAT64);
        double[] w = gy.toDoubleArray();
        double[] gx = Functional.avgPool2dBackward(gy, c.shape(), c.p()).toDoubleArray();
        double[] x0 = random(12, c.shape(), DType.FLOAT64).toDoubleArray();
        double[] numeric = NumericGrad.of(v -> NumericGrad.dot(
                Functional.avgPool2d(Tensor.fromArray(v, c.shape()), c.p()).toDoubleArray(), w), x0, 1e-6);
        assertClose("gx vs finite differences", numeric, gx, FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
        assertClose("gx vs adjoint", naiveAvgBackward(w, c.shape(), c.p()), gx, FLOAT64_REORDERED.rtol(),
                FLOAT64_REORDERED.atol());
    }

    @Test
    void avgPool2dBackward_float32_permutedGradient_matchesAdjoint() {
        Pool2dParams p = new Pool2dParams(3, 2, 2, 1, 1, 1, 1, 1, true, false);
        int[] shape = {2, 3, 5, 4};
        Tensor gy = random(13, new int[] {2, p.outW(4), p.outH(5), 3}, DType.FLOAT32).permute(0, 3, 2, 1);
        double[] gx = Functional.avgPool2dBackward(gy, shape, p).toDoubleArray();
        assertClose("gx", naiveAvgBackward(gy.toDoubleArray(), shape, p), gx, FLOAT32_OR_FINITE_DIFFERENCES.rtol(),
                FLOAT32_OR_FINITE_DIFFERENCES.atol());
    }

    @Test
    void avgPool2d_dilation_isRejectedWithClearMessage() {
        Tensor x = Tensor.zeros(1, 1, 6, 6);
        Pool2dParams dilated = Pool2dParams.of(3, 1, 1, 2, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Functional.avgPool2d(x, dilated));
        assertTrue(e.getMessage().contains("avg_pool2d") && e.getMessage().contains("dilation"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Functional.avgPool2dBackward(Tensor.zeros(1, 1, 2, 2), new int[] {1, 1, 6, 6}, dilated));
    }
}
