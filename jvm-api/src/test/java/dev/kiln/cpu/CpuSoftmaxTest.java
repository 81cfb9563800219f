package dev.kiln.cpu;

import static dev.kiln.cpu.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** softmax / log-softmax forward and backward through Functional, against naive double loops and PyTorch values. */
class CpuSoftmaxTest {
    /** float64: the kit's strict level. */
    private static final Tolerance FLOAT64 = Tolerances.STRICT.of(DType.FLOAT64);
    /** float32 outputs, or finite differences. */
    private static final Tolerance FLOAT32_OR_FINITE_DIFFERENCES = new Tolerance(1e-6, 1e-7);

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? FLOAT64 : FLOAT32_OR_FINITE_DIFFERENCES;
    }

    private static Tensor random(long seed, int[] shape, DType dtype) {
        return Tensor.normal(new Generator(seed), 0, 2, shape, dtype, Device.CPU);
    }

    /** A non-contiguous view of the given shape: a tensor stored with its dims reversed, permuted back. */
    private static Tensor reversedView(long seed, int[] shape, DType dtype) {
        int r = shape.length;
        int[] rev = new int[r];
        int[] perm = new int[r];
        for (int d = 0; d < r; d++) {
            rev[d] = shape[r - 1 - d];
            perm[d] = r - 1 - d;
        }
        return random(seed, rev, dtype).permute(perm);
    }

    /** A contiguous view that starts inside its storage: rows 1.. of a tensor one longer in dim 0. */
    private static Tensor offsetView(long seed, int[] shape, DType dtype) {
        int[] big = shape.clone();
        big[0]++;
        return random(seed, big, dtype).narrow(0, 1, shape[0]);
    }

    // ---------------------------------------------------------------- naive references

    /** Calls f(base, step, len) for every line along dim of a contiguous array of the given shape. */
    private interface Line {
        void run(int base, int step, int len);
    }

    private static void lines(int[] shape, int dim, Line f) {
        int inner = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int outer = 1;
        for (int d = 0; d < dim; d++) {
            outer *= shape[d];
        }
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                f.run(o * shape[dim] * inner + i, inner, shape[dim]);
            }
        }
    }

    private static double[] naiveSoftmax(double[] x, int[] shape, int dim, boolean log) {
        double[] y = new double[x.length];
        lines(shape, dim, (base, step, len) -> {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                max = Math.max(max, x[base + j * step]);
            }
            double sum = 0;
            for (int j = 0; j < len; j++) {
                sum += Math.exp(x[base + j * step] - max);
            }
            for (int j = 0; j < len; j++) {
                double z = x[base + j * step] - max;
                y[base + j * step] = log ? z - Math.log(sum) : Math.exp(z) / sum;
            }
        });
        return y;
    }

    /** Backward from the Jacobian: dy_j/dx_i = y_j (delta_ij - y_i) (softmax), delta_ij - p_i (log-softmax). */
    private static double[] naiveBackward(double[] gy, double[] y, int[] shape, int dim, boolean log) {
        double[] gx = new double[y.length];
        lines(shape, dim, (base, step, len) -> {
            for (int i = 0; i < len; i++) {
                double pi = log ? Math.exp(y[base + i * step]) : y[base + i * step];
                double s = 0;
                for (int j = 0; j < len; j++) {
                    double delta = i == j ? 1 : 0;
                    double dyj = log ? delta - pi : y[base + j * step] * (delta - pi);
                    s += gy[base + j * step] * dyj;
                }
                gx[base + i * step] = s;
            }
        });
        return gx;
    }

    private static Tensor forward(Tensor x, int dim, boolean log) {
        return log ? Functional.logSoftmax(x, dim) : Functional.softmax(x, dim);
    }

    // ---------------------------------------------------------------- forward

    /** Every dim of odd 1-D to 4-D shapes. */
    static Stream<Arguments> shapesAndDims() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[][] shapes = {{3, 5, 7}, {2, 3, 4, 5}, {1, 9, 1}, {6}};
        for (int[] shape : shapes) {
            for (int dim = 0; dim < shape.length; dim++) {
                for (boolean log : new boolean[] {false, true}) {
                    b.add(Arguments.of(shape, dim, log));
                }
            }
        }
        return b.build();
    }

    /** Inner 3000 is cut into two slabs; a dim of 9000 or 10000 leaves room for one position per slab. */
    static Stream<Arguments> slabShapes() {
        return Stream.of(Arguments.of(new int[] {2, 3, 3000}, 1, false), Arguments.of(new int[] {2, 3, 3000}, 1, true),
                Arguments.of(new int[] {2, 10000}, 1, true), Arguments.of(new int[] {9000, 2}, 0, false));
    }

    static Stream<Arguments> allShapes() {
        return Stream.concat(shapesAndDims(), slabShapes());
    }

    @ParameterizedTest(name = "shape {0} dim {1} log {2}")
    @MethodSource("allShapes")
    void softmax_anyDim_contiguousPermutedAndOffsetViews_matchNaive(int[] shape, int dim, boolean log) {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tolerance tol = tolerance(dtype);
            for (Tensor x : new Tensor[] {random(1, shape, dtype), reversedView(2, shape, dtype),
                offsetView(3, shape, dtype)}) {
                Tensor y = forward(x, dim, log);
                assertArrayEquals(shape, y.shape());
                assertEquals(dtype, y.dtype());
                assertClose(dtype + " y", naiveSoftmax(x.toDoubleArray(), shape, dim, log), y.toDoubleArray(), tol.rtol(),
                        tol.atol());
            }
        }
    }

    @Test
    void softmax_negativeDim_countsFromTheEnd() {
        Tensor x = random(3, new int[] {4, 3, 2}, DType.FLOAT64);
        assertArrayEquals(Functional.softmax(x, 1).toDoubleArray(), Functional.softmax(x, -2).toDoubleArray());
        assertArrayEquals(Functional.softmax(x, 2).toDoubleArray(), x.softmax(-1).toDoubleArray());
    }

    @Test
    void softmax_handWorked_matchesPyTorch() {
        // /usr/bin/python3 -c "import torch; print(torch.softmax(torch.tensor([1.,2,3],dtype=torch.float64),0).tolist())"
        // e^k / (e + e^2 + e^3): [0.0900..., 0.2447..., 0.6652...]
        assertClose("softmax", new double[] {0.09003057317038045, 0.2447284710547976, 0.6652409557748218},
                Functional.softmax(Tensor.of(1.0, 2.0, 3.0), 0).toDoubleArray(), FLOAT64.rtol(),
                FLOAT64.atol());
    }

    @Test
    void logSoftmax_hugeValues_isStable_matchesPyTorch() {
        // /usr/bin/python3 -c "import torch; print(torch.log_softmax(torch.tensor([1000.,1001,1002],dtype=torch.float64),0).tolist())"
        // exp(1000) overflows; subtracting the max gives x - 1002 - log(e^-2 + e^-1 + 1)
        double[] expected = {-2.4076059644443806, -1.4076059644443804, -0.4076059644443804};
        assertClose("float64", expected, Functional.logSoftmax(Tensor.of(1000.0, 1001.0, 1002.0), 0).toDoubleArray(),
                FLOAT64.rtol(), FLOAT64.atol());
        assertClose("float32", expected, Functional.logSoftmax(Tensor.of(1000f, 1001f, 1002f), 0).toDoubleArray(),
                FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
    }

    @Test
    void softmax_rowOfNegativeInfinity_givesNaN_asPyTorch() {
        // torch.softmax(torch.tensor([[-inf,-inf],[1.,2.]]),1) -> [[nan, nan], [0.2689, 0.7311]]; log_softmax too
        double inf = Double.POSITIVE_INFINITY;
        Tensor x = Tensor.fromArray(new float[] {(float) -inf, (float) -inf, 1, 2}, 2, 2);
        double[] y = Functional.softmax(x, 1).toDoubleArray();
        double[] ly = Functional.logSoftmax(x, 1).toDoubleArray();
        assertEquals(Double.NaN, y[0]);
        assertEquals(Double.NaN, y[1]);
        assertEquals(Double.NaN, ly[0]);
        assertEquals(Double.NaN, ly[1]);
        assertClose("finite row", new double[] {0.2689414213699951, 0.7310585786300049}, new double[] {y[2], y[3]},
                FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
        // a single -inf is just a zero probability
        double[] one = Functional.softmax(Tensor.of(-inf, 0.0), 0).toDoubleArray();
        assertArrayEquals(new double[] {0, 1}, one);
    }

    @Test
    void softmax_zeroDimTensor_isOne() {
        Tensor x = Tensor.scalar(3.5, DType.FLOAT64);
        assertEquals(1.0, Functional.softmax(x, 0).item());
        assertEquals(0.0, Functional.logSoftmax(x, -1).item());
        assertEquals(0.0, Functional.softmaxBackward(Tensor.scalar(2, DType.FLOAT64), Functional.softmax(x, 0), 0).item());
    }

    // ---------------------------------------------------------------- backward

    @ParameterizedTest(name = "shape {0} dim {1} log {2}")
    @MethodSource("shapesAndDims")
    void softmaxBackward_anyDim_permutedAndOffsetGradients_matchJacobian(int[] shape, int dim, boolean log) {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tolerance tol = tolerance(dtype);
            Tensor y = forward(random(4, shape, dtype), dim, log);
            for (Tensor gy : new Tensor[] {reversedView(5, shape, dtype), offsetView(6, shape, dtype)}) {
                Tensor gx = log ? Functional.logSoftmaxBackward(gy, y, dim) : Functional.softmaxBackward(gy, y, dim);
                assertClose(dtype + " gx", naiveBackward(gy.toDoubleArray(), y.toDoubleArray(), shape, dim, log),
                        gx.toDoubleArray(), tol.rtol(), tol.atol());
            }
        }
    }

    @ParameterizedTest(name = "shape {0} dim {1} log {2}")
    @MethodSource("slabShapes")
    void softmaxBackward_manySlabs_matchesClosedForm(int[] shape, int dim, boolean log) {
        Tensor y = forward(random(8, shape, DType.FLOAT64), dim, log);
        Tensor gy = random(9, shape, DType.FLOAT64);
        double[] g = gy.toDoubleArray();
        double[] yv = y.toDoubleArray();
        double[] expected = new double[g.length];
        // softmax: y_i (g_i - sum_j g_j y_j); log-softmax: g_i - exp(y_i) sum_j g_j
        lines(shape, dim, (base, step, len) -> {
            double s = 0;
            for (int j = 0; j < len; j++) {
                s += log ? g[base + j * step] : g[base + j * step] * yv[base + j * step];
            }
            for (int i = base, n = 0; n < len; n++, i += step) {
                expected[i] = log ? g[i] - Math.exp(yv[i]) * s : yv[i] * (g[i] - s);
            }
        });
        Tensor gx = log ? Functional.logSoftmaxBackward(gy, y, dim) : Functional.softmaxBackward(gy, y, dim);
        assertClose("gx", expected, gx.toDoubleArray(), FLOAT64.rtol(), FLOAT64.atol());
    }

    @ParameterizedTest(name = "dim {0} log {1}")
    @MethodSource("dimsOf3d")
    void softmaxBackward_float64_matchesFiniteDifferences(int dim, boolean log) {
        int[] shape = {3, 4, 5};
        Tensor x = random(6, shape, DType.FLOAT64);
        double[] w = random(7, shape, DType.FLOAT64).toDoubleArray();
        Tensor y = forward(x, dim, log);
        Tensor gy = Tensor.fromArray(w, shape);
        Tensor gx = log ? Functional.logSoftmaxBackward(gy, y, dim) : Functional.softmaxBackward(gy, y, dim);
        double[] numeric = NumericGrad.of(v -> NumericGrad.dot(forward(Tensor.fromArray(v, shape), dim, log).toDoubleArray(),
                w), x.toDoubleArray(), 1e-6);
        assertClose("gx", numeric, gx.toDoubleArray(), FLOAT32_OR_FINITE_DIFFERENCES.rtol(), FLOAT32_OR_FINITE_DIFFERENCES.atol());
    }

    static Stream<Arguments> dimsOf3d() {
        return Stream.of(Arguments.of(0, false), Arguments.of(1, false), Arguments.of(2, false), Arguments.of(0, true),
                Arguments.of(1, true), Arguments.of(2, true));
    }
}
