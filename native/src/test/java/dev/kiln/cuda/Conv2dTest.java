package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/conv2d.cu (forward, backward-input, backward-weight) against the CPU backend computing in
 * float64, on every target, float32 and float64. The GEMM kernels tile 128 x 64 (float) or 64 x 64
 * (double) outputs, 32 wide for N <= 32, by K steps of 16: the shapes are multiples of none, some
 * span several tiles in every GEMM dimension, and x, w and gy are non-contiguous views on the device.
 */
class Conv2dTest {
    /** x (n, c, h, w), weight (o, c / groups, kh, kw). */
    record Case(String name, int n, int c, int h, int w, int o, int kh, int kw, Conv2dParams p, boolean bias) {
        int[] xShape() {
            return new int[] {n, c, h, w};
        }

        int[] wShape() {
            return new int[] {o, c / p.groups(), kh, kw};
        }

        int[] yShape() {
            return new int[] {n, o, p.outH(h, kh), p.outW(w, kw)};
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final Case[] CASES = {
        new Case("3x3 padding 1, odd sizes", 3, 5, 11, 13, 7, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        // M = 969 pixels (8 float / 16 double M tiles); backward-weight reduces over 969 in 8 splits
        new Case("several pixel tiles, split reduction", 3, 3, 17, 19, 4, 3, 3, Conv2dParams.of(1, 1, 1, 1), false),
        // 70 input and 67 output channels: two tiles in N for forward and backward-input, K 70 / 67
        new Case("1x1, channels over two tiles", 2, 70, 5, 4, 67, 1, 1, Conv2dParams.of(1, 0, 1, 1), true),
        new Case("stride (2, 3), rectangular kernel and padding", 2, 4, 12, 9, 6, 3, 2,
                new Conv2dParams(2, 3, 1, 2, 1, 1, 1), false),
        new Case("dilation 2", 1, 3, 10, 12, 5, 3, 3, Conv2dParams.of(1, 2, 2, 1), true),
        new Case("groups 2, stride 2, odd batch", 5, 6, 9, 8, 10, 3, 3, Conv2dParams.of(2, 1, 1, 2), true),
        // one input channel per group: the direct loops (backward-weight reduces 180 terms in 3 chunks)
        new Case("depthwise, channel multiplier 2", 2, 5, 9, 10, 10, 3, 3, Conv2dParams.of(1, 1, 1, 5), true),
        new Case("depthwise, stride 2, dilation 2, batch 9", 9, 4, 11, 10, 4, 3, 3, Conv2dParams.of(2, 2, 2, 4), false),
        // one input channel, 12 outputs: GEMM forward and backward-input, direct backward-weight
        new Case("single input channel", 2, 1, 9, 7, 12, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        new Case("stride 3 x 2, dilation 2 x 1, groups 2, 2x4 kernel", 2, 4, 13, 11, 4, 2, 4,
                new Conv2dParams(3, 2, 1, 2, 2, 1, 2), false),
        // backward-input runs one GEMM per stride phase: here the odd rows and columns have no taps
        new Case("stride 2, dilation 2", 2, 3, 9, 8, 5, 3, 2, new Conv2dParams(2, 2, 1, 0, 2, 2, 1), true),
        // stride 4 over 3 rows: phases without pixels
        new Case("stride (4, 3) over a 3x5 image", 3, 2, 3, 5, 3, 2, 2, new Conv2dParams(4, 3, 1, 1, 1, 1, 1), false),
        // 32 -> 48 channels: 18 K tiles forward, 27 backward-input, backward-weight in 4 splits
        new Case("32 to 48 channels 3x3 on 14x14", 2, 32, 14, 14, 48, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        new Case("1x1 images", 3, 4, 1, 1, 6, 1, 1, Conv2dParams.of(1, 0, 1, 1), true),
        new Case("5x5 kernel over a 2x3 image, padding 2", 2, 3, 2, 3, 4, 5, 5, Conv2dParams.of(1, 2, 1, 1), true),
    };

    static Stream<Arguments> targetsDtypesAndCases() {
        return Target.all().flatMap(t -> Stream.of(DType.FLOAT32, DType.FLOAT64)
                .flatMap(d -> Stream.of(CASES).map(c -> Arguments.of(t, d, c))));
    }

    /** Normal values of shape (a, b, c, d) times scale, as a CPU tensor stored in (a, c, d, b) order. */
    private static Tensor channelsLast(long seed, DType dtype, int[] shape, double scale) {
        int[] stored = {shape[0], shape[2], shape[3], shape[1]};
        return Tensor.normal(new Generator(seed), 0, scale, stored, dtype, Device.CPU).permute(0, 3, 1, 2);
    }

    /** The same values on dev, as the same non-contiguous view. */
    private static Tensor onDevice(Tensor channelsLast, Device dev) {
        return channelsLast.permute(0, 2, 3, 1).to(dev).permute(0, 3, 1, 2);
    }

    private static Tensor f64(Tensor x) {
        return x == null ? null : x.to(DType.FLOAT64);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("targetsDtypesAndCases")
    void forwardAndBackwardMatchTheCpu(Target target, DType dtype, Case c) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Tensor x = channelsLast(1, dtype, c.xShape(), 0.5);
        Tensor w = channelsLast(2, dtype, c.wShape(), 0.3);
        Tensor gy = channelsLast(3, dtype, c.yShape(), 0.3);
        Tensor bias = c.bias() ? Tensor.normal(new Generator(4), 0, 1, new int[] {c.o()}, dtype, Device.CPU) : null;
        Tensor xd = onDevice(x, dev);
        Tensor wd = onDevice(w, dev);
        Tensor gyd = onDevice(gy, dev);
        assertFalse(c.c() > 1 && c.h() * c.w() > 1 && xd.isContiguous(), "x is a channels-last view");

        tol.assertClose(c + ": conv2d", tensor(cpu.conv2d(nd(f64(x)), nd(f64(w)), nd(f64(bias)), c.p())),
                tensor(gpu.conv2d(nd(xd), nd(wd), nd(bias == null ? null : bias.to(dev)), c.p())).to(Device.CPU));
        tol.assertClose(c + ": conv2d_backward_input", tensor(cpu.conv2dBackwardInput(nd(f64(gy)), nd(f64(w)), c.xShape(), c.p())),
                tensor(gpu.conv2dBackwardInput(nd(gyd), nd(wd), c.xShape(), c.p())).to(Device.CPU));
        tol.assertClose(c + ": conv2d_backward_weight", tensor(cpu.conv2dBackwardWeight(nd(f64(gy)), nd(f64(x)), c.wShape(), c.p())),
                tensor(gpu.conv2dBackwardWeight(nd(gyd), nd(xd), c.wShape(), c.p())).to(Device.CPU));
    }

    /** A random geometry: 1..3 groups, 1..4 input and 1..5 output channels each, kernels up to 4x4, strides up to 3. */
    private static Case randomCase(long seed) {
        java.util.Random r = new java.util.Random(seed);
        int groups = 1 + r.nextInt(3);
        Conv2dParams p = new Conv2dParams(1 + r.nextInt(3), 1 + r.nextInt(3), r.nextInt(4), r.nextInt(4),
                1 + r.nextInt(2), 1 + r.nextInt(2), groups);
        int kh = 1 + r.nextInt(4);
        int kw = 1 + r.nextInt(4);
        // at least one output row / column
        int h = Math.max(1 + r.nextInt(9), p.dilationH() * (kh - 1) + 1 - 2 * p.padH());
        int w = Math.max(1 + r.nextInt(9), p.dilationW() * (kw - 1) + 1 - 2 * p.padW());
        return new Case("random " + seed, 1 + r.nextInt(3), groups * (1 + r.nextInt(4)), h, w,
                groups * (1 + r.nextInt(5)), kh, kw, p, r.nextBoolean());
    }

    /** 24 random geometries a dtype, on the GPU and on cuda-emu in random order (400 passed when written). */
    static Stream<Arguments> randomCases() {
        return Target.all().filter(t -> t.order() == null || t.order() == Emulator.Order.RANDOM)
                .flatMap(t -> Stream.of(DType.FLOAT32, DType.FLOAT64)
                        .flatMap(d -> LongStream.range(0, 24).mapToObj(seed -> Arguments.of(t, d, randomCase(seed)))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("randomCases")
    void randomGeometriesMatchTheCpu(Target target, DType dtype, Case c) {
        forwardAndBackwardMatchTheCpu(target, dtype, c);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void contiguousViewsWithAStorageOffsetAreReadFromTheirOffset(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Conv2dParams p = new Conv2dParams(2, 1, 1, 0, 1, 1, 1);
        Tensor x = Tensor.normal(new Generator(9), 0, 1, new int[] {4, 3, 7, 6}, dtype, Device.CPU);   // images 1, 2
        Tensor w = Tensor.normal(new Generator(10), 0, 1, new int[] {7, 3, 3, 2}, dtype, Device.CPU);  // filters 2..6
        Tensor bias = Tensor.normal(new Generator(11), 0, 1, new int[] {9}, dtype, Device.CPU);        // 4..8
        Tensor xd = x.to(dev).narrow(0, 1, 2);
        Tensor wd = w.to(dev).narrow(0, 2, 5);
        Tensor y = tensor(cpu.conv2d(nd(x.narrow(0, 1, 2)), nd(w.narrow(0, 2, 5)), nd(bias.narrow(0, 4, 5)), p));
        Tensor gy = Tensor.normal(new Generator(12), 0, 1, new int[] {3, 5, 4, 5}, dtype, Device.CPU);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        tol.assertClose("conv2d", y, tensor(gpu.conv2d(nd(xd), nd(wd), nd(bias.to(dev).narrow(0, 4, 5)), p)).to(Device.CPU));
        tol.assertClose("conv2d_backward_input", tensor(cpu.conv2dBackwardInput(nd(gy.narrow(0, 1, 2)), nd(w.narrow(0, 2, 5)), xd.shape(),
                p)),
                tensor(gpu.conv2dBackwardInput(nd(gy.to(dev).narrow(0, 1, 2)), nd(wd), xd.shape(), p)).to(Device.CPU));
        tol.assertClose("conv2d_backward_weight", tensor(cpu.conv2dBackwardWeight(nd(gy.narrow(0, 1, 2)), nd(x.narrow(0, 1, 2)),
                wd.shape(), p)),
                tensor(gpu.conv2dBackwardWeight(nd(gy.to(dev).narrow(0, 1, 2)), nd(xd), wd.shape(), p)).to(Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void splitReductionIsDeterministic(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        for (Case c : new Case[] {CASES[1], CASES[7]}) {  // GEMM and direct splits
            Tensor x = Tensor.normal(new Generator(5), 0, 1, c.xShape(), dtype, Device.CPU).to(dev);
            Tensor gy = Tensor.normal(new Generator(6), 0, 1, c.yShape(), dtype, Device.CPU).to(dev);
            assertArrayEquals(tensor(gpu.conv2dBackwardWeight(nd(gy), nd(x), c.wShape(), c.p())).toDoubleArray(),
                    tensor(gpu.conv2dBackwardWeight(nd(gy), nd(x), c.wShape(), c.p())).toDoubleArray(), c.toString());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void emptyBatchGivesEmptyOutputAndZeroWeightGradient(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Conv2dParams p = Conv2dParams.of(1, 1, 1, 1);
        Tensor x = Tensor.zeros(new int[] {0, 3, 5, 5}, dtype, dev);
        Tensor w = Tensor.normal(new Generator(7), 0, 1, new int[] {4, 3, 3, 3}, dtype, Device.CPU).to(dev);
        Tensor gy = Tensor.zeros(new int[] {0, 4, 5, 5}, dtype, dev);
        assertArrayEquals(new int[] {0, 4, 5, 5}, tensor(gpu.conv2d(nd(x), nd(w), null, p)).shape());
        assertArrayEquals(new int[] {0, 3, 5, 5}, tensor(gpu.conv2dBackwardInput(nd(gy), nd(w), x.shape(), p)).shape());
        assertArrayEquals(new double[4 * 3 * 3 * 3], tensor(gpu.conv2dBackwardWeight(nd(gy), nd(x), w.shape(), p)).toDoubleArray());
    }

    private static void assertNames(RuntimeException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' names " + part);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void badInputThrowsNamingOpAndShapes(Target target, DType dtype) {
        Device dev = target.use();
        Generator g = new Generator(8);
        Tensor x = Tensor.normal(g, 0, 1, new int[] {2, 6, 5, 5}, dtype, Device.CPU).to(dev);
        Tensor w = Tensor.normal(g, 0, 1, new int[] {4, 4, 3, 3}, dtype, Device.CPU).to(dev);
        assertNames(assertThrows(IllegalArgumentException.class, () -> Functional.conv2d(x, w, null, 1, 0, 1, 2)),
                "conv2d", "6 channels", "[4, 4, 3, 3]", "groups 2");
        DType other = dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, w.narrow(1, 0, 3).to(other), null, 1, 0, 1, 2)), "conv2d", "weight", "[2, 6, 5, 5]");
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, w.narrow(1, 0, 3).to(Device.CPU), null, 1, 0, 1, 2)), "conv2d", "weight", "[2, 6, 5, 5]");
        Tensor gy = Tensor.normal(g, 0, 1, new int[] {2, 4, 3, 3}, dtype, Device.CPU).to(dev);
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2dBackwardWeight(gy, x, new int[] {4, 4, 3, 3}, Conv2dParams.of(1, 0, 1, 2))),
                "conv2d_backward_weight", "[4, 4, 3, 3]", "[2, 6, 5, 5]");
        // 40000 x 256 x 256 outputs exceed the kernels' int indexing
        Tensor image = Tensor.zeros(new int[] {1, 1, 256, 256}, dtype, dev);
        Tensor filters = Tensor.zeros(new int[] {40000, 1, 1, 1}, dtype, dev);
        assertNames(assertThrows(IllegalArgumentException.class, () -> Functional.conv2d(image, filters, null, 1, 0, 1, 1)),
                "conv2d", "[1, 1, 256, 256]", "[40000, 1, 1, 1]", "32-bit");
        Tensor ints = Tensor.zeros(new int[] {2, 6, 5, 5}, DType.INT64, dev);
        assertNames(assertThrows(UnsupportedOperationException.class,
                () -> tensor(Backends.of(dev).conv2d(nd(ints), nd(w), null, Conv2dParams.of(1, 0, 1, 1)))), "conv2d", "int64");
    }
}
