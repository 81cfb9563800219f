package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.ReduceOp;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * reduce.cu's split path (few long rows cut into chunks, each reduced by its own block, then the
 * chunks' partials merged) against the CPU backend; the emulator takes it with a short chunk. Every
 * result must also be the same, bit for bit, on a second run.
 */
class ReduceSplitTest {
    private static final Backend CPU = Backends.of(Device.CPU);
    /** A short chunk, so that rows of a few hundred elements split on the emulator. */
    private static final int CHUNK = 64;

    static Stream<Arguments> targets() {
        return Target.all().map(Arguments::of);
    }

    private static ReduceLauncher launcher(Device dev, int chunk) {
        return new ReduceLauncher(((CudaBackend) Backends.of(dev)).context(), chunk);
    }

    /** base (rows, cols) copied to dev, then transposed on both: a strided (cols, rows) on the device. */
    private static Both transposed(Tensor base, Device dev) {
        Both x = Both.of(base, dev).view(Tensor::t);
        assertFalse(x.dev().isContiguous(), "the device input is a strided view");
        return x;
    }

    private static Tensor normal(long seed, double mean, int[] shape, DType dtype) {
        return Tensor.normal(new Generator(seed), mean, 1, shape, dtype, Device.CPU);
    }

    private static void check(ReduceLauncher gpu, ReduceOp op, Both x, int[] dims, boolean keepdim, Tolerance tol) {
        String what = op.opName() + Arrays.toString(dims) + " keepdim " + keepdim + " of " + Arrays.toString(x.cpu().shape());
        Tensor got = tensor(gpu.reduce(op, nd(x.dev()), dims, keepdim));
        tol.assertClose(what, tensor(CPU.reduce(op, nd(x.cpu()), dims, keepdim)), got.to(Device.CPU));
        assertArrayEquals(got.toDoubleArray(), tensor(gpu.reduce(op, nd(x.dev()), dims, keepdim)).toDoubleArray(), what + ": a second run");
    }

    private static void checkAllOps(ReduceLauncher gpu, Both x, Both forProd, int[] dims, boolean keepdim, DType dtype) {
        for (ReduceOp op : ReduceOp.values()) {
            check(gpu, op, op == ReduceOp.PROD ? forProd : x, dims, keepdim, Tolerances.BALANCED.of(dtype));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void fewLongRowsAndWholeTensors(Target target, DType dtype) {
        Device dev = target.use();
        ReduceLauncher gpu = launcher(dev, CHUNK);
        // 3 rows of 15 whole chunks and a partial one; the mean 1 keeps sums away from cancellation.
        Tensor base = normal(21, 1, new int[] {1000, 3}, dtype);
        Both x = transposed(base, dev);                                            // (3, 1000)
        Both forProd = transposed(base.sub(1).mul(0.01).add(1), dev);              // near 1: no overflow
        for (boolean keep : new boolean[] {false, true}) {
            checkAllOps(gpu, x, forProd, new int[] {1}, keep, dtype);
            checkAllOps(gpu, x, forProd, new int[] {0, 1}, keep, dtype);           // the whole tensor
        }
        // A permuted rank-3 view reduced over every dim and over two dims of 45 x 70 elements.
        Both p = Both.of(normal(22, 1, new int[] {9, 70, 5}, dtype), dev).view(t -> t.permute(2, 0, 1));
        Both pProd = Both.of(normal(22, 1, new int[] {9, 70, 5}, dtype).sub(1).mul(0.01).add(1), dev)
                .view(t -> t.permute(2, 0, 1));                                    // (5, 9, 70)
        checkAllOps(gpu, p, pProd, new int[] {0, 1, 2}, false, dtype);
        checkAllOps(gpu, p, pProd, new int[] {1, 2}, true, dtype);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void rowsJustOverOneChunk(Target target, DType dtype) {
        Device dev = target.use();
        // A lowered chunk: one whole chunk and a chunk of one element.
        Both x = transposed(normal(23, 1, new int[] {CHUNK + 1, 4}, dtype), dev);  // (4, CHUNK + 1)
        checkAllOps(launcher(dev, CHUNK), x, x, new int[] {1}, false, dtype);
        // The backend's own launcher and chunk: 2 rows of ReduceLauncher.CHUNK + 1 elements.
        Both y = transposed(normal(24, 1, new int[] {ReduceLauncher.CHUNK + 1, 2}, dtype), dev);
        Backend gpu = Backends.of(dev);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN}) {
            Tolerances.BALANCED.of(dtype).assertClose(op.opName() + " of rows of CHUNK + 1", tensor(CPU.reduce(op, nd(y.cpu()),
                    new int[] {1}, true)),
                    tensor(gpu.reduce(op, nd(y.dev()), new int[] {1}, true)).to(Device.CPU));
        }
        Tensor[] want = tensors(CPU.reduceWithIndices(ReduceOp.MAX, nd(y.cpu()), 1, false));
        Tensor[] got = tensors(gpu.reduceWithIndices(ReduceOp.MAX, nd(y.dev()), 1, false));
        Tolerances.EXACT.assertClose("max(dim) of rows of CHUNK + 1", want[0], got[0].to(Device.CPU));
        assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), "argmax of rows of CHUNK + 1");
    }

    private static void checkWithIndices(ReduceLauncher gpu, ReduceOp op, Both x, int dim, boolean keepdim) {
        String what = op + "(dim " + dim + ") keepdim " + keepdim;
        Tensor[] want = tensors(CPU.reduceWithIndices(op, nd(x.cpu()), dim, keepdim));
        Tensor[] got = tensors(gpu.argReduce(op, nd(x.dev()), dim, keepdim));
        Tolerances.EXACT.assertClose(what + " values", want[0], got[0].to(Device.CPU));
        assertArrayEquals(want[1].shape(), got[1].shape(), what + " index shape");
        assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), what + " indices");
        Tensor[] again = tensors(gpu.argReduce(op, nd(x.dev()), dim, keepdim));
        assertArrayEquals(got[0].toDoubleArray(), again[0].toDoubleArray(), what + " values: a second run");
        assertArrayEquals(got[1].toLongArray(), again[1].toLongArray(), what + " indices: a second run");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void argmaxAndArgminKeepTheFirstExtremeAndTheFirstNaN(Target target, DType dtype) {
        Device dev = target.use();
        ReduceLauncher gpu = launcher(dev, CHUNK);
        // Rounded to a few values: the extreme recurs in many chunks, and the first one must win.
        double[] v = normal(25, 0, new int[] {6 * 700}, DType.FLOAT64).mul(1.5).round().toDoubleArray();
        int row = 700;
        v[1 * row + 650] = Double.NaN;     // row 1: its first NaN in the last chunk...
        v[1 * row + 690] = Double.NaN;
        v[2 * row + 130] = Double.NaN;     // row 2: ...and in a middle chunk, with a later one in another
        v[2 * row + 5] = Double.NaN;
        for (int j = 0; j < row; j++) {
            v[3 * row + j] = Double.NEGATIVE_INFINITY;   // row 3: all -inf (max: index 0)
            v[4 * row + j] = Double.POSITIVE_INFINITY;   // row 4: all +inf (min: index 0)
        }
        Tensor base = Tensor.fromArray(v, 6, row).to(dtype);
        Both rows = transposed(base.t().contiguous(), dev);                      // (6, 700) strided
        Both columns = transposed(base, dev);                                    // (700, 6) strided: dim 0
        for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (boolean keep : new boolean[] {false, true}) {
                checkWithIndices(gpu, op, rows, 1, keep);
                checkWithIndices(gpu, op, columns, 0, keep);
            }
            check(gpu, op, rows, new int[] {1}, false, Tolerances.EXACT);       // NaN propagates without indices too
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void int64SumsProductsAndExtremesAreExact(Target target) {
        Device dev = target.use();
        ReduceLauncher gpu = launcher(dev, CHUNK);
        // Large values: a float accumulator would round them; int64 sums must be exact (and wrap as Java's).
        long[] v = new long[3 * 500];
        Generator g = new Generator(26);
        double[] noise = Tensor.normal(g, 0, 1, new int[] {v.length}, DType.FLOAT64, Device.CPU).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (long) (noise[i] * 1e15) + (i % 7 == 0 ? Long.MAX_VALUE / 4 : 0);
        }
        v[1 * 500 + 333] = Long.MIN_VALUE;
        v[2 * 500 + 77] = Long.MAX_VALUE;
        Both x = transposed(Tensor.fromArray(v, 500, 3), dev);                  // (3, 500) strided
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN}) {
            for (int[] dims : new int[][] {{1}, {0, 1}}) {
                String what = op.opName() + Arrays.toString(dims) + " int64";
                Tensor got = tensor(gpu.reduce(op, nd(x.dev()), dims, false));
                assertArrayEquals(tensor(CPU.reduce(op, nd(x.cpu()), dims, false)).toLongArray(), got.toLongArray(), what);
            }
            if (op != ReduceOp.SUM) {
                Tensor[] want = tensors(CPU.reduceWithIndices(op, nd(x.cpu()), 1, false));
                Tensor[] got = tensors(gpu.argReduce(op, nd(x.dev()), 1, false));
                assertArrayEquals(want[0].toLongArray(), got[0].toLongArray(), op + "(dim) int64 values");
                assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), op + "(dim) int64 indices");
            }
        }
        Both small = transposed(Tensor.fromArray(new long[] {3, -2, 5, 1, -1, 2, 7, 1, -3, 2, 1, 1}, 4, 3), dev);
        assertArrayEquals(tensor(CPU.reduce(ReduceOp.PROD, nd(small.cpu()), new int[] {1}, false)).toLongArray(),
                tensor(launcher(dev, 2).reduce(ReduceOp.PROD, nd(small.dev()), new int[] {1}, false)).toLongArray(), "prod int64");
    }
}
