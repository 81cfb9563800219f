package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** kernels/pool2d.cu against the CPU backend on every target, float32 and float64. */
class Pool2dTest {
    /** Geometries for max pooling: overlapping, padded, dilated, ceil_mode, per-dim, kernel > stride. */
    private static final Pool2dParams[] MAX_WINDOWS = {
        Pool2dParams.of(2),
        Pool2dParams.of(3, 2, 1, 1, false),
        Pool2dParams.of(3, 2, 1, 1, true),
        Pool2dParams.of(3, 1, 1, 2, false),
        Pool2dParams.of(2, 2, 1, 3, true),
        new Pool2dParams(3, 2, 2, 1, 1, 0, 1, 2, true, true),
        new Pool2dParams(4, 1, 3, 1, 2, 0, 2, 1, false, true),
    };

    /** Geometries for average pooling (no dilation), each with and without count_include_pad; a divisor override. */
    private static final Pool2dParams[] AVG_WINDOWS = {
        new Pool2dParams(3, 2, 2, 1, 1, 1, 1, 1, true, true, 5),
        Pool2dParams.of(2),
        Pool2dParams.of(3, 2, 1, 1, false),
        Pool2dParams.of(3, 2, 1, 1, true),
        new Pool2dParams(3, 2, 2, 1, 1, 1, 1, 1, true, true),
        new Pool2dParams(4, 3, 3, 2, 2, 1, 1, 1, true, true),
        new Pool2dParams(2, 3, 1, 3, 0, 1, 1, 1, false, true),
    };

    private static Pool2dParams excludingPad(Pool2dParams p) {
        return new Pool2dParams(p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(),
                p.dilationH(), p.dilationW(), p.ceilMode(), false, p.divisorOverride());
    }

    /** (N, C, H, W) normal values, as a permuted (non-contiguous) view of an (H, W, N, C) tensor. */
    private static Tensor input(long seed, DType dtype, int n, int c, int h, int w) {
        return Tensor.normal(new Generator(seed), 0, 1, new int[] {h, w, n, c}, dtype, Device.CPU).permute(2, 3, 0, 1);
    }

    /** The same view of x's values on dev: made contiguous there as (H, W, N, C), then permuted. */
    private static Tensor onDevice(Tensor x, Device dev) {
        return x.permute(2, 3, 0, 1).contiguous().to(dev).permute(2, 3, 0, 1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void maxPoolForwardAndBackwardMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        // Rounded to a few values (ties pick the first maximum), with NaNs, -infs and a +inf planted.
        double[] v = input(1, DType.FLOAT64, 3, 5, 13, 17).mul(2).round().contiguous().toDoubleArray();
        v[10] = Double.NaN;
        v[100] = Double.NEGATIVE_INFINITY;
        v[200] = Double.POSITIVE_INFINITY;
        v[201] = Double.NaN;
        v[202] = Double.NaN;
        for (int at : new int[] {293, 294, 310, 311}) {
            v[at] = Double.NEGATIVE_INFINITY;  // plane 1, rows 4-5, cols 4-5: a whole 2x2 window of -inf
        }
        Tensor x = Tensor.fromArray(v, 3, 5, 13, 17).to(dtype).permute(2, 3, 0, 1).contiguous().permute(2, 3, 0, 1);
        Tensor xd = onDevice(x, dev);
        for (Pool2dParams p : MAX_WINDOWS) {
            Tensor[] want = tensors(cpu.maxPool2d(nd(x), p));
            Tensor[] got = tensors(gpu.maxPool2d(nd(xd), p));
            Tolerances.EXACT.assertClose("max_pool2d " + p, want[0], got[0].to(Device.CPU));
            assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), "max_pool2d indices " + p);
            // gy and indices as non-contiguous views; gradients flow to each window's maximum (several onto one pixel).
            // gy in eighths: the sums onto one pixel are exact in any order, so the routing is checked bit for bit.
            int[] s = want[0].shape();
            Tensor gy = Tensor.normal(new Generator(2), 0, 1, new int[] {s[0], s[1], s[3], s[2]}, dtype, Device.CPU)
                    .mul(8).round().div(8);
            Tensor gx = tensor(cpu.maxPool2dBackward(nd(gy.transpose(2, 3)), nd(want[1]), x.shape(), p));
            Tensor stridedIndices = got[1].transpose(1, 3).contiguous().transpose(1, 3);  // same values, other strides
            Tensor gxd = tensor(gpu.maxPool2dBackward(nd(gy.to(dev).transpose(2, 3)), nd(stridedIndices), x.shape(), p));
            Tolerances.EXACT.assertClose("max_pool2d_backward " + p, gx, gxd.to(Device.CPU));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void avgPoolForwardAndBackwardMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tensor x = input(3, dtype, 3, 4, 10, 13);
        Tensor xd = onDevice(x, dev);
        for (Pool2dParams base : AVG_WINDOWS) {
            for (Pool2dParams p : new Pool2dParams[] {base, excludingPad(base)}) {
                Tensor y = tensor(cpu.avgPool2d(nd(x), p));
                Tolerances.STRICT.of(dtype).assertClose("avg_pool2d " + p, y, tensor(gpu.avgPool2d(nd(xd), p)).to(Device.CPU));
                int[] s = y.shape();
                Tensor gy = Tensor.normal(new Generator(4), 0, 1, new int[] {s[0], s[1], s[3], s[2]}, dtype, Device.CPU);
                Tolerances.STRICT.of(dtype).assertClose("avg_pool2d_backward " + p,
                        tensor(cpu.avgPool2dBackward(nd(gy.transpose(2, 3)), x.shape(), p)),
                        tensor(gpu.avgPool2dBackward(nd(gy.to(dev).transpose(2, 3)), x.shape(), p)).to(Device.CPU));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void oneByOneImagesAndWholeImageWindows(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tensor tiny = input(5, dtype, 7, 50, 1, 1);
        Tensor x = input(6, dtype, 4, 3, 5, 6);
        Pool2dParams[] windows = {Pool2dParams.of(1), Pool2dParams.of(2, 2, 1, 1, true),
            new Pool2dParams(5, 6, 5, 6, 0, 0, 1, 1, false, true)};
        for (Tensor in : new Tensor[] {tiny, x}) {
            Tensor ind = onDevice(in, dev);
            for (Pool2dParams p : windows) {
                if (p.outH(in.size(2)) < 1 || p.outW(in.size(3)) < 1) {
                    continue;  // the whole-image window does not fit a 1x1 image
                }
                String what = Arrays.toString(in.shape()) + " " + p;
                Tensor[] want = tensors(cpu.maxPool2d(nd(in), p));
                Tensor[] got = tensors(gpu.maxPool2d(nd(ind), p));
                Tolerances.EXACT.assertClose("max_pool2d " + what, want[0], got[0].to(Device.CPU));
                assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), "max_pool2d indices " + what);
                Tensor y = tensor(cpu.avgPool2d(nd(in), p));
                Tolerances.STRICT.of(dtype).assertClose("avg_pool2d " + what, y, tensor(gpu.avgPool2d(nd(ind), p)).to(Device.CPU));
                Tensor gy = Tensor.onesLike(y);
                Tolerances.STRICT.of(dtype).assertClose("avg_pool2d_backward " + what, tensor(cpu.avgPool2dBackward(nd(gy), in.shape(), p)),
                        tensor(gpu.avgPool2dBackward(nd(gy.to(dev)), in.shape(), p)).to(Device.CPU));
                Tolerances.EXACT.assertClose("max_pool2d_backward " + what, tensor(cpu.maxPool2dBackward(nd(gy), nd(want[1]), in.shape(),
                        p)),
                        tensor(gpu.maxPool2dBackward(nd(gy.to(dev)), nd(got[1]), in.shape(), p)).to(Device.CPU));
            }
        }
    }

    /**
     * Overlapping windows: k3 s1 (an input picked by up to 9 windows), k3 s2 d2, ceil_mode with
     * padding, and per-dim geometry. A smooth input with few local maxima makes most picks repeated.
     */
    private static final Pool2dParams[] OVERLAPPING = {
        Pool2dParams.of(3, 1, 1, 1, false),
        Pool2dParams.of(3, 2, 1, 2, false),
        Pool2dParams.of(3, 2, 1, 1, true),
        new Pool2dParams(3, 4, 1, 2, 1, 2, 1, 1, true, true),
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void float32MaxPoolBackwardSumsOverlappingWindowsInAFixedOrder(Target target) {
        Device dev = target.use();
        Tensor x = Tensor.arange(0, 2 * 3 * 11 * 14, 1, DType.FLOAT64, Device.CPU).reshape(2, 3, 11, 14).mul(0.37).sin()
                .to(DType.FLOAT32);   // (2, 3, 11, 14), smooth: a few local maxima
        for (Pool2dParams p : OVERLAPPING) {
            Tensor[] r = Functional.maxPool2dWithIndices(x, p);
            // gy of mixed magnitudes, so a different summation order changes float32 bits
            Tensor gy = Tensor.normal(new Generator(9), 0, 1, r[0].shape(), DType.FLOAT32, Device.CPU)
                    .mul(Tensor.normal(new Generator(10), 0, 4, r[0].shape(), DType.FLOAT32, Device.CPU).exp());
            float[] want = float32Scatter(gy, r[1], x.shape());
            Tensor gyd = gy.to(dev);
            Tensor indd = r[1].to(dev);
            for (int run = 0; run < 3; run++) {
                float[] got = Functional.maxPool2dBackward(gyd, indd, x.shape(), p).toFloatArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                            p + " run " + run + " element " + i + ": " + got[i] + ", expected " + want[i]);
                }
            }
            Tolerances.BALANCED.of(DType.FLOAT32).assertClose("max_pool2d_backward vs the cpu's float64 " + p,
                    Functional.maxPool2dBackward(gy.to(DType.FLOAT64), r[1], x.shape(), p),
                    Functional.maxPool2dBackward(gyd, indd, x.shape(), p).to(Device.CPU));
        }
    }

    /** gx in float32 arithmetic: each gy added at its index, outputs in row-major order. */
    private static float[] float32Scatter(Tensor gy, Tensor indices, int[] inputShape) {
        float[] g = gy.toFloatArray();
        long[] ind = indices.toLongArray();
        int plane = inputShape[2] * inputShape[3];
        int outPlane = gy.size(2) * gy.size(3);
        float[] gx = new float[inputShape[0] * inputShape[1] * plane];
        for (int o = 0; o < g.length; o++) {
            gx[o / outPlane * plane + (int) ind[o]] += g[o];
        }
        return gx;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void maxPoolBackwardRejectsIndicesOutsideTheirWindowsAsTheCpuDoes(Target target, DType dtype) {
        Device dev = target.use();
        int[] inputShape = {1, 2, 4, 4};
        Tensor gy = Tensor.ones(new int[] {1, 2, 2, 2}, dtype, Device.CPU);
        // The bad index is at output (0, 1, 0, 1): outside the plane, or inside it but not a tap of that window.
        // k2 s2: output (i, j) taps rows 2i..2i+1, cols 2j..2j+1, so (0, 1) taps 2, 3, 6, 7.
        long[] halving = {5, 2, 12, 15, 0, 0, 8, 10};
        // k2 s1 d2: output (i, j) taps rows {i, i + 2}, cols {j, j + 2}; 6 = (1, 2) lies between (0, 1)'s taps.
        long[] dilated = {0, 3, 4, 15, 10, 0, 14, 5};
        Object[][] cases = {{Pool2dParams.of(2), halving, 16L}, {Pool2dParams.of(2), halving, -1L},
            {Pool2dParams.of(2), halving, 5L}, {Pool2dParams.of(2, 1, 0, 2, false), dilated, 6L}};
        for (Object[] c : cases) {
            Pool2dParams p = (Pool2dParams) c[0];
            long[] v = ((long[]) c[1]).clone();
            v[5] = (Long) c[2];
            Tensor indices = Tensor.fromArray(v, 1, 2, 2, 2);
            String want = assertThrows(IndexOutOfBoundsException.class,
                    () -> Functional.maxPool2dBackward(gy, indices, inputShape, p)).getMessage();
            String got = assertThrows(IndexOutOfBoundsException.class,
                    () -> Functional.maxPool2dBackward(gy.to(dev), indices.to(dev), inputShape, p)).getMessage();
            assertEquals("max_pool2d_backward: index " + c[2] + " of output (0, 1, 0, 1) is not in that output's pooling"
                    + " window of an input plane of 4x4", want);
            assertEquals(want, got);
            v[5] = ((long[]) c[1])[1];   // a valid index there: accepted
            Functional.maxPool2dBackward(gy.to(dev), Tensor.fromArray(v, 1, 2, 2, 2).to(dev), inputShape, p);
        }
        // grad_output must have the shape the geometry gives (here 3x3, not 2x2)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Functional.maxPool2dBackward(
                gy.to(dev), Tensor.zeros(new int[] {1, 2, 2, 2}, DType.INT64, dev), inputShape, Pool2dParams.of(2, 1, 0, 1, false)));
        assertEquals("max_pool2d_backward: grad_output [1, 2, 2, 2] and indices [1, 2, 2, 2] must both have the shape pooling"
                + " [1, 2, 4, 4] gives, [1, 2, 3, 3]", e.getMessage());
    }
}
