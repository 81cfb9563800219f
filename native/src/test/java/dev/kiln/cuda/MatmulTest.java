package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cuda.GemmLauncher.Tiles;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.Tensors;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gemm kernels against the CPU backend on every target, float32 and float64: every tile
 * configuration on sizes that are multiples of no tile, transposed and strided views (vector and
 * scalar loads, vectors cut by the edge of a view), broadcast and strided batches, empty products.
 */
class MatmulTest {
    /** An H100's multiprocessors, as cuda-emu reports them. */
    private static final int H100_SMS = 132;

    private static Tensor randn(long seed, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, dtype, Device.CPU);
    }

    /**
     * |got - a b| <= 2 K u (|a| |b|) elementwise, u the unit roundoff of the dtype: the classic bound of
     * a K-term dot product, for the result and for the float64 CPU reference it is compared with.
     */
    private static void assertProduct(String what, Tensor a, Tensor b, Tensor got) {
        Backend cpu = Backends.of(Device.CPU);
        Tensor want = tensor(cpu.matmul(nd(a.to(DType.FLOAT64)), nd(b.to(DType.FLOAT64))));
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double u = a.dtype() == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
        double[] bound = tensor(cpu.matmul(nd(a.abs().to(DType.FLOAT64)), nd(b.abs().to(DType.FLOAT64)))).toDoubleArray();
        double[] w = want.toDoubleArray();
        double[] g = got.to(Device.CPU).toDoubleArray();
        double rtol = 2.0 * Math.max(1, a.size(-1)) * u;
        for (int i = 0; i < w.length; i++) {
            if (!(Math.abs(g[i] - w[i]) <= rtol * bound[i])) {
                fail(what + ": element " + i + " is " + g[i] + ", expected " + w[i] + " (bound " + rtol * bound[i] + ")");
            }
        }
    }

    /** a @ b on dev by every kernel of the dtype, then by the backend's own choice, each checked. */
    private static void assertEveryKernel(String what, Device dev, Tensor a, Tensor b) {
        CudaBackend gpu = (CudaBackend) Backends.of(dev);
        GemmLauncher launcher = new GemmLauncher(gpu.context());
        Tensor ad = sameView(a, dev);
        Tensor bd = sameView(b, dev);
        for (Tiles tiles : Tiles.values()) {
            if (tiles.dtype == a.dtype()) {
                assertProduct(what + " " + tiles, a, b, tensor(launcher.matmul(nd(ad), nd(bd), tiles)));
            }
        }
        assertProduct(what + " backend", a, b, tensor(gpu.matmul(nd(ad), nd(bd))));
    }

    /** The same view (shape, strides, offset) of a device copy of the view's whole storage (to(dev) would compact it). */
    private static Tensor sameView(Tensor view, Device dev) {
        Tensor storage = Tensors.wrap(Tensors.storage(view), new int[] {Tensors.storage(view).size()}).to(dev);
        return Tensors.wrap(Tensors.storage(storage), view.shape(), view.stride(), view.storageOffset());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void sizesThatAreMultiplesOfNoTile(Target target, DType dtype) {
        Device dev = target.use();
        // 600 x 5 x 70: more tile rows than a group of 8 (gemm.cu orders tiles by groups)
        int[][] mkn = {{1, 1, 1}, {1, 40, 1}, {67, 131, 45}, {130, 7, 129}, {5, 3, 70}, {64, 32, 68}, {600, 5, 70}};
        for (int[] s : mkn) {
            assertEveryKernel(Arrays.toString(s), dev, randn(1, dtype, s[0], s[1]), randn(2, dtype, s[1], s[2]));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void transposedOperandsAreReadThroughTheirStrides(Target target, DType dtype) {
        Device dev = target.use();
        // 67 x 45 x 70: scalar loads; 68 x 44 x 72: vector loads along k or along m / n
        for (int[] s : new int[][] {{67, 45, 70}, {68, 44, 72}}) {
            int m = s[0];
            int k = s[1];
            int n = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = ta ? randn(3, dtype, k, m).t() : randn(3, dtype, m, k);
                    Tensor b = tb ? randn(4, dtype, n, k).t() : randn(4, dtype, k, n);
                    assertEveryKernel(Arrays.toString(s) + (ta ? " a.t()" : " a") + (tb ? " b.t()" : " b"), dev, a, b);
                }
            }
        }
    }

    /**
     * view(base) holding normal values, base (of baseShape) NaN everywhere else: a kernel that reads
     * past the edge of the view, or misses a stride, turns NaN (zero-padding does not hide it).
     */
    private static Tensor inNaNs(long seed, DType dtype, int[] baseShape, UnaryOperator<Tensor> view) {
        Tensor v = view.apply(Tensor.full(baseShape, Double.NaN, dtype, Device.CPU));
        v.copy_(randn(seed, dtype, v.shape()));
        return v;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void viewsWhoseEdgeCutsAVectorOrBreakItsAlignment(Target target, DType dtype) {
        Device dev = target.use();
        // aligned rows of 48 / 100 elements narrowed to 45 / 67 / 70: the last vector is partly outside
        assertEveryKernel("narrowed", dev, inNaNs(5, dtype, new int[] {67, 48}, x -> x.narrow(1, 0, 45)),
                inNaNs(6, dtype, new int[] {45, 100}, x -> x.narrow(1, 0, 70)));
        assertEveryKernel("narrowed transposed", dev, inNaNs(7, dtype, new int[] {45, 100}, x -> x.narrow(1, 0, 67).t()),
                inNaNs(8, dtype, new int[] {70, 48}, x -> x.narrow(1, 0, 45).t()));
        // starting one element in: unaligned, so scalar loads of unit-stride rows
        assertEveryKernel("unaligned", dev, inNaNs(9, dtype, new int[] {67, 48}, x -> x.narrow(1, 1, 45)),
                inNaNs(10, dtype, new int[] {45, 72}, x -> x.narrow(1, 1, 70)));
        // every other column of a, every third column of b: no unit stride along n or k
        assertEveryKernel("stepped", dev, inNaNs(11, dtype, new int[] {33, 90}, x -> x.slice(1, 0, 90, 2)),
                inNaNs(12, dtype, new int[] {46, 38}, x -> x.slice(0, 1, 46, 1).slice(1, 0, 38, 3)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void batchDimsBroadcast(Target target, DType dtype) {
        Device dev = target.use();
        assertEveryKernel("(3, 1, M, K) @ (4, K, N)", dev, randn(13, dtype, 3, 1, 13, 21), randn(14, dtype, 4, 21, 17));
        assertEveryKernel("(2, M, K) @ (K, N)", dev, randn(15, dtype, 2, 13, 21), randn(16, dtype, 21, 17));
        assertEveryKernel("(M, K) @ (5, K, N) transposed", dev, randn(17, dtype, 21, 13).t(), randn(18, dtype, 5, 17, 21).transpose(1, 2));
        assertEveryKernel("expanded", dev, randn(19, dtype, 1, 12, 20).expand(4, 12, 20), randn(20, dtype, 4, 20, 16));
        // stride 0 inside the matrices: one row of a repeated, one column of b repeated
        assertEveryKernel("expanded rows", dev, randn(46, dtype, 1, 20).expand(13, 20), randn(47, dtype, 20, 1).expand(20, 17));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void batchesReadThroughTheirStrides(Target target, DType dtype) {
        Device dev = target.use();
        // every other matrix of a stack, times a batch that is the middle dim of its storage
        assertEveryKernel("sliced @ permuted", dev, randn(21, dtype, 6, 13, 20).slice(0, 0, 6, 2),
                randn(22, dtype, 20, 3, 24).permute(1, 0, 2));
        assertEveryKernel("permuted @ sliced", dev, randn(23, dtype, 13, 3, 20).permute(1, 0, 2),
                randn(24, dtype, 2, 3, 20, 24).select(0, 1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void batchesBeyondTheGridZLimitContinueInGridY(Target target, DType dtype) {
        Device dev = target.use();
        GemmLauncher launcher = new GemmLauncher(((CudaBackend) Backends.of(dev)).context(), 4);
        Tensor a = randn(44, dtype, 10, 9, 7);   // grid (1, 3, 4): 12 batch slots, the last 2 idle
        Tensor b = randn(45, dtype, 10, 7, 11);
        assertProduct("batch 10 in z blocks of 4", a, b, tensor(launcher.matmul(nd(a.to(dev)), nd(b.to(dev)))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void emptyProducts(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor zeros = tensor(gpu.matmul(nd(randn(25, dtype, 2, 3, 0).to(dev)), nd(randn(26, dtype, 0, 4).to(dev))));  // K = 0
        assertArrayEquals(new int[] {2, 3, 4}, zeros.shape());
        assertArrayEquals(new double[24], zeros.toDoubleArray());
        assertArrayEquals(new int[] {0, 3}, tensor(gpu.matmul(nd(randn(27, dtype, 0, 5).to(dev)), nd(randn(28, dtype, 5,
                3).to(dev)))).shape());
        assertArrayEquals(new int[] {4, 0}, tensor(gpu.matmul(nd(randn(29, dtype, 4, 5).to(dev)), nd(randn(30, dtype, 5,
                0).to(dev)))).shape());
        assertArrayEquals(new int[] {0, 2, 4}, tensor(gpu.matmul(nd(randn(31, dtype, 0, 2, 3).to(dev)), nd(randn(32, dtype, 3,
                4).to(dev)))).shape());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void vectorsAsPyTorchDoes(Target target, DType dtype) {
        Device dev = target.use();
        Tensor v = randn(33, dtype, 37);
        Tensor m = randn(34, dtype, 37, 11);
        Tensor batch = randn(35, dtype, 3, 11, 37);
        Tolerances.BALANCED.of(dtype).assertClose("v @ m", v.matmul(m), v.to(dev).matmul(m.to(dev)).to(Device.CPU));
        Tolerances.BALANCED.of(dtype).assertClose("batch @ v", batch.matmul(v), batch.to(dev).matmul(v.to(dev)).to(Device.CPU));
        Tolerances.BALANCED.of(dtype).assertClose("v @ v", v.matmul(v), v.to(dev).matmul(v.to(dev)).to(Device.CPU));
    }

    private static void assertRejected(Runnable call, String... fragments) {
        String msg = assertThrows(IllegalArgumentException.class, call::run).getMessage();
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message \"" + msg + "\" should name " + f);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void badOperandsThrowNamingTheOpAndShapes(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor a23 = randn(36, dtype, 2, 3).to(dev);
        assertRejected(() -> tensor(gpu.matmul(nd(a23), nd(randn(37, dtype, 4, 5).to(dev)))), "matmul", "[2, 3]", "[4, 5]", "3 vs 4");
        assertRejected(() -> a23.matmul(randn(37, dtype, 4, 5).to(dev)), "matmul", "[2, 3]", "[4, 5]");
        assertRejected(() -> tensor(gpu.matmul(nd(randn(38, dtype, 2, 3, 4).to(dev)), nd(randn(39, dtype, 3, 4, 5).to(dev)))),
                "matmul", "[2]", "[3]");
        assertRejected(() -> tensor(gpu.matmul(nd(randn(40, dtype, 3).to(dev)), nd(randn(41, dtype, 3, 2).to(dev)))), "matmul", "[3]",
                "[3, 2]");
        DType other = dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        assertRejected(() -> tensor(gpu.matmul(nd(a23), nd(randn(42, other, 3, 2).to(dev)))), "matmul", "[2, 3]", "[3, 2]",
                other.toString());
        assertRejected(() -> tensor(gpu.matmul(nd(a23), nd(randn(43, dtype, 3, 2)))), "matmul", "[2, 3]", "[3, 2]", "cpu");
    }

    @Test
    void bigTilesOnlyWhenTheyFillAWave() {
        assertEquals(Tiles.F32_64, Tiles.choose(DType.FLOAT32, 1024, 1024, 1, H100_SMS));     // 64 blocks of 128 x 128
        assertEquals(Tiles.F32_128, Tiles.choose(DType.FLOAT32, 2048, 2048, 1, H100_SMS));    // 256 blocks
        assertEquals(Tiles.F32_128, Tiles.choose(DType.FLOAT32, 128, 128, 200, H100_SMS));    // one block per batch entry
        assertEquals(Tiles.F32_64, Tiles.choose(DType.FLOAT32, 64, 64, 512, H100_SMS));       // big tiles 3/4 padding
        assertEquals(Tiles.F32_64, Tiles.choose(DType.FLOAT32, 130, 130, 200, H100_SMS));     // 256^2 vs 192^2 padded
        assertEquals(Tiles.F32_128, Tiles.choose(DType.FLOAT32, 2000, 2100, 1, H100_SMS));    // 2048 x 2176 vs 2048 x 2112
        assertEquals(Tiles.F64_32, Tiles.choose(DType.FLOAT64, 500, 500, 1, H100_SMS));       // 64 blocks of 64 x 64
        assertEquals(Tiles.F64_64, Tiles.choose(DType.FLOAT64, 1024, 1024, 1, H100_SMS));     // 256 blocks
    }

    /** The wave is the device's SM count, not an H100's: 64 big blocks fill a 64-SM GPU. */
    @Test
    void theWaveIsTheDevicesMultiprocessorCount() {
        assertEquals(Tiles.F32_128, Tiles.choose(DType.FLOAT32, 1024, 1024, 1, 64));
        assertEquals(Tiles.F64_64, Tiles.choose(DType.FLOAT64, 500, 500, 1, 64));
        assertEquals(Tiles.F32_64, Tiles.choose(DType.FLOAT32, 1024, 1024, 1, 65));
    }
}
