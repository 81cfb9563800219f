package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv2d forward / backward-input / backward-weight on the CPU against a naive float64
 * cross-correlation written here (as torch.nn.functional.conv2d), and the adjoint identity
 * {@code <conv(x, w), gy> == <x, backwardInput(gy, w)> == <w, backwardWeight(gy, x)>}.
 */
class CpuConv2dTest {
    /** x (n, c, h, w), weight (o, c / groups, kh, kw), geometry, with or without bias. */
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

    static final List<Case> CASES = List.of(
        new Case("3x3 pad1", 2, 3, 7, 6, 4, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        new Case("dilation2 stride2 groups2", 2, 4, 11, 9, 6, 3, 3, Conv2dParams.of(2, 1, 2, 2), true),
        new Case("1x1 image 1x1 kernel", 3, 5, 1, 1, 4, 1, 1, Conv2dParams.of(1, 0, 1, 1), true),
        new Case("1x1 image 3x3 kernel pad1", 2, 3, 1, 1, 2, 3, 3, Conv2dParams.of(1, 1, 1, 1), false),
        new Case("kernel 5 larger than 3x3 input, pad2", 1, 2, 3, 3, 3, 5, 5, Conv2dParams.of(1, 2, 1, 1), true),
        // one output pixel an image, past the direct kernels' taps: the forward and the input gradient are one product
        // over the images (a DCGAN discriminator's last convolution: one output channel, a bias, any stride)
        new Case("7x7 kernel on a 7x7 image, 48 to 5 channels, one output pixel", 3, 48, 7, 7, 5, 7, 7,
                Conv2dParams.of(1, 0, 1, 1), false),
        new Case("7x7 kernel on a 7x7 image, 64 to 1 channel, stride 2, one output pixel", 3, 64, 7, 7, 1, 7, 7,
                Conv2dParams.of(2, 0, 1, 1), true),
        new Case("kernel 7 larger than 4x5 input, pad3 stride2", 2, 2, 4, 5, 3, 7, 7, Conv2dParams.of(2, 3, 1, 1), false),
        new Case("depthwise", 2, 6, 8, 7, 6, 3, 3, Conv2dParams.of(1, 1, 1, 6), true),
        new Case("depthwise multiplier2 stride2", 2, 6, 9, 8, 12, 3, 3, Conv2dParams.of(2, 1, 1, 6), false),
        new Case("asymmetric stride pad dilation", 2, 3, 9, 13, 5, 3, 2, new Conv2dParams(2, 3, 1, 2, 1, 2, 1), true),
        // the last kernel column lies wholly right of the 3-wide image (its im2col rows are all padding)
        new Case("kernel columns past a narrow image", 2, 1, 6, 3, 5, 3, 4, new Conv2dParams(2, 1, 2, 2, 2, 2, 1), false),
        new Case("pointwise groups2", 2, 4, 5, 6, 6, 1, 1, Conv2dParams.of(1, 0, 1, 2), true),
        new Case("1x1 kernel stride2", 1, 3, 7, 7, 2, 1, 1, Conv2dParams.of(2, 0, 1, 1), false),
        // ResNet shortcuts: the weight gradient is one GEMM over every pixel (stride-2 gather of x), with the
        // Vector API in pieces of 2048 pixels added in order (2790 pixels: two pieces)
        new Case("1x1 kernel stride2, 24 to 64 channels (one blocked weight-gradient gemm)", 3, 24, 11, 9, 64, 1, 1,
                Conv2dParams.of(2, 0, 1, 1), false),
        new Case("1x1 kernel stride2, 8 to 16 channels, 2790 pixels", 3, 8, 61, 59, 16, 1, 1, Conv2dParams.of(2, 0, 1, 1),
                false),
        new Case("16 to 24 channels 3x3 (blocked gemm; direct with the Vector API)", 2, 16, 20, 18, 24, 3, 3,
                Conv2dParams.of(1, 1, 1, 1), true),
        // large enough for the packed GEMM kernels; the forward packs its panels straight from x
        new Case("3x2 kernel, stride (2,1), pad (2,1), dilation (2,3), groups 2, blocked gemm", 2, 24, 40, 37, 12, 3, 2,
                new Conv2dParams(2, 1, 2, 1, 2, 3, 2), true),
        // im2col matrices of 2304 x 1024 per image: the batched forward takes the images in more than
        // one chunk, the weight gradient in more than one slice
        new Case("3 images in chunks, 256 channels 32x32 3x3 pad1", 3, 256, 32, 32, 2, 3, 3, Conv2dParams.of(1, 1, 1, 1),
                true),
        // 12 one-image slices of the weight gradient: more than a 2-core machine's parallel pieces, so a
        // piece reuses its im2row buffer (whose padding must stay zero)
        new Case("12 images 32x32 3x3 pad1, weight gradient slices share buffers", 12, 1, 32, 32, 2, 3, 3,
                Conv2dParams.of(1, 1, 1, 1), false),
        // the input gradient multiplies chunks of a few images per GEMM (35 / (4 * threads), the last chunk
        // shorter): panels of gy packed across image boundaries, col rows scattered into several images
        new Case("35 images in chunks, input gradient, groups 2", 35, 8, 12, 12, 16, 3, 3, Conv2dParams.of(1, 1, 1, 2),
                true),
        new Case("35 images in chunks, input gradient, stride 2, dilation (1,2), groups 2", 35, 8, 15, 13, 24, 3, 3,
                new Conv2dParams(2, 2, 1, 2, 1, 2, 2), false),
        // LeNet's layers: with the Vector API, computed directly on padded planes (DirectConvF32Vector)
        new Case("LeNet conv1 1 to 6, 5x5 pad2, 28x28", 3, 1, 28, 28, 6, 5, 5, Conv2dParams.of(1, 2, 1, 1), true),
        new Case("LeNet conv2 6 to 16, 5x5, 14x14", 3, 6, 14, 14, 16, 5, 5, Conv2dParams.of(1, 0, 1, 1), true),
        // 19 output channels: three register blocks, the last of 3; rows of 37 + 6 padded columns; 5 inputs: the
        // input gradient is direct too
        new Case("direct: 5 to 19 channels, pad (1,3), dilation (2,1), groups 1", 2, 5, 9, 37, 19, 3, 4,
                new Conv2dParams(1, 1, 1, 3, 2, 1, 1), true),
        new Case("direct: groups 3, dilation 2, pad 2, 4x3 kernel", 2, 6, 11, 17, 9, 4, 3,
                new Conv2dParams(1, 1, 2, 2, 2, 2, 3), false),
        // 48 outputs: direct with 256-bit vectors; 540 taps: the weight gradient a GEMM with 256-bit vectors
        new Case("60 to 48 channels 3x3 pad1", 2, 60, 9, 10, 48, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        // with 512-bit vectors, direct in all three passes (120 outputs: 15 blocks of 8), then with the weight
        // gradient a GEMM (136 outputs); with 256-bit ones, the GEMM in all three
        new Case("40 to 120 channels 3x3 pad1", 2, 40, 7, 6, 120, 3, 3, Conv2dParams.of(1, 1, 1, 1), false),
        new Case("96 to 136 channels 3x3 pad1", 2, 96, 5, 6, 136, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
        new Case("64 to 72 channels 3x3 stride 2 pad1 (strided weight gradient a GEMM)", 2, 64, 9, 8, 72, 3, 3,
                Conv2dParams.of(2, 1, 1, 1), false),
        // strided, directly on phase planes with the Vector API: ResNet's downsampling on an odd image, and stride 3
        new Case("direct strided: 16 to 32 channels 3x3 stride 2 pad 1, 15x13", 2, 16, 15, 13, 32, 3, 3,
                Conv2dParams.of(2, 1, 1, 1), false),
        new Case("direct strided: 3 to 7 channels 5x5 stride 3 pad 2, 17x16", 2, 3, 17, 16, 7, 5, 5,
                Conv2dParams.of(3, 2, 1, 1), true),
        // strided input gradients by phases: a DCGAN's 4x4 stride 2 on an odd image; rows of 28 (vector pairs
        // interleaved); stride 3 with dilation 2 and padding past the kernel's reach; a kernel narrower than its stride
        // (a phase no tap reaches: zeros)
        new Case("direct strided input gradient: 6 to 10 channels 4x4 stride 2 pad 1, 9x11", 2, 6, 9, 11, 10, 4, 4,
                Conv2dParams.of(2, 1, 1, 1), true),
        new Case("direct strided input gradient: 32 to 16 channels 3x3 stride 2 pad 1, 28x28", 2, 32, 28, 28, 16, 3, 3,
                Conv2dParams.of(2, 1, 1, 1), false),
        new Case("direct strided input gradient: 5 to 7 channels 3x3 stride 3 pad 4 dilation 2, 13x10", 2, 5, 13, 10, 7,
                3, 3, Conv2dParams.of(3, 4, 2, 1), false),
        new Case("direct strided input gradient: 4 to 8 channels 2x2 stride 3, 10x11", 2, 4, 10, 11, 8, 2, 2,
                Conv2dParams.of(3, 0, 1, 1), true),
        // weight gradients as outer products over pixels (64 or 32 output channels a group fill the register blocks)
        new Case("outer weight gradient: 8 to 64 channels 3x3 pad 1, 10x9", 3, 8, 10, 9, 64, 3, 3,
                Conv2dParams.of(1, 1, 1, 1), true),
        new Case("outer weight gradient: groups 2, 12 to 64 channels, 3x3 dilation 2 pad 2, 9x11", 2, 12, 9, 11, 64, 3, 3,
                Conv2dParams.of(1, 2, 2, 2), false),
        new Case("outer weight gradient: 6 to 32 channels 4x4 stride 2 pad 1, 11x12", 3, 6, 11, 12, 32, 4, 4,
                Conv2dParams.of(2, 1, 1, 1), false));

    record Run(Case c, DType dtype) {
        @Override
        public String toString() {
            return c + " " + dtype;
        }
    }

    static Stream<Run> runs() {
        List<Run> out = new ArrayList<>();
        for (Case c : CASES) {
            out.add(new Run(c, DType.FLOAT64));
            out.add(new Run(c, DType.FLOAT32));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void conv2d_forwardAndBothBackwards_matchNaiveDouble(Run run) {
        Case c = run.c();
        Random rnd = new Random(c.name().hashCode());
        double[] x = random(rnd, numel(c.xShape()));
        double[] w = random(rnd, numel(c.wShape()));
        double[] b = c.bias() ? random(rnd, c.o()) : null;
        double[] gy = random(rnd, numel(c.yShape()));
        Tolerance tol = tolerance(run.dtype());

        Tensor y = Functional.conv2d(tensor(x, c.xShape(), run.dtype()), tensor(w, c.wShape(), run.dtype()),
                b == null ? null : tensor(b, new int[] {c.o()}, run.dtype()), c.p());
        assertArrayEquals(c.yShape(), y.shape());
        tol.assertClose(run + " forward", naiveForward(c, x, w, b), values(y));

        Tensor gx = Functional.conv2dBackwardInput(tensor(gy, c.yShape(), run.dtype()), tensor(w, c.wShape(), run.dtype()),
                c.xShape(), c.p());
        tol.assertClose(run + " backward input", naiveBackwardInput(c, gy, w), values(gx));

        Tensor gw = Functional.conv2dBackwardWeight(tensor(gy, c.yShape(), run.dtype()), tensor(x, c.xShape(), run.dtype()),
                c.wShape(), c.p());
        tol.assertClose(run + " backward weight", naiveBackwardWeight(c, gy, x), values(gw));
    }

    /**
     * surefire's vector-api execution runs this class with the Vector API module: there LeNet's cases above take the
     * direct kernels, on 256- and 512-bit machines alike (their register blocks differ); elsewhere im2col and the GEMM.
     */
    @Test
    void lenetConvolutions_runDirectlyExactlyWhereTheVectorApiRuns() {
        ConvGeometry conv2 = ConvGeometry.of(new int[] {64, 6, 14, 14}, new int[] {16, 6, 5, 5}, Conv2dParams.of(1, 0, 1, 1));
        boolean vector = CpuGemm.usesVectorApi();
        assertEquals(vector, DirectConv.suitsForward(conv2));
        assertEquals(vector, DirectConv.suitsBackwardWeight(conv2));
        assertEquals(vector, DirectConv.suitsBackwardInput(conv2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void conv2d_backwardsAreAdjointsOfForward(Run run) {
        Case c = run.c();
        Random rnd = new Random(c.name().hashCode() + 1);
        Tensor x = tensor(random(rnd, numel(c.xShape())), c.xShape(), run.dtype());
        Tensor w = tensor(random(rnd, numel(c.wShape())), c.wShape(), run.dtype());
        Tensor gy = tensor(random(rnd, numel(c.yShape())), c.yShape(), run.dtype());
        double lhs = dot(values(Functional.conv2d(x, w, null, c.p())), values(gy));
        double viaInput = dot(values(x), values(Functional.conv2dBackwardInput(gy, w, c.xShape(), c.p())));
        double viaWeight = dot(values(w), values(Functional.conv2dBackwardWeight(gy, x, c.wShape(), c.p())));
        Tolerance tol = run.dtype() == DType.FLOAT64 ? Tolerances.BALANCED.float64() : Tolerances.PERMISSIVE.float32();
        tol.assertClose(run + " <x, backwardInput(gy, w)>", lhs, viaInput);
        tol.assertClose(run + " <w, backwardWeight(gy, x)>", lhs, viaWeight);
    }

    @Test
    void conv2d_nonContiguousInputs_matchContiguousResults() {
        Case c = CASES.get(1); // dilation 2, stride 2, groups 2
        Random rnd = new Random(11);
        // x stored (N, H, W, C) and w stored (kH, kW, C/groups, O), permuted into place as views
        Tensor x = Tensor.fromArray(random(rnd, numel(c.xShape())), c.n(), c.h(), c.w(), c.c()).permute(0, 3, 1, 2);
        int[] ws = c.wShape();
        Tensor w = Tensor.fromArray(random(rnd, numel(ws)), ws[2], ws[3], ws[1], ws[0]).permute(3, 2, 0, 1);
        int[] ys = c.yShape();
        Tensor gy = Tensor.fromArray(random(rnd, numel(ys)), ys[0], ys[1], ys[3], ys[2]).transpose(2, 3);
        Tensor bias = Tensor.fromArray(random(rnd, 2 * c.o()), c.o(), 2).select(1, 1);
        Tensor xc = x.contiguous();
        Tensor wc = w.contiguous();
        Tensor gyc = gy.contiguous();
        Tolerances.BALANCED.float64().assertClose("forward", values(Functional.conv2d(xc, wc, bias.contiguous(), c.p())),
                values(Functional.conv2d(x, w, bias, c.p())));
        Tolerances.BALANCED.float64().assertClose("backward input", values(Functional.conv2dBackwardInput(gyc, wc, c.xShape(), c.p())),
                values(Functional.conv2dBackwardInput(gy, w, c.xShape(), c.p())));
        Tolerances.BALANCED.float64().assertClose("backward weight", values(Functional.conv2dBackwardWeight(gyc, xc, ws, c.p())),
                values(Functional.conv2dBackwardWeight(gy, x, ws, c.p())));
    }

    @Test
    void conv2d_oneByOneKernelOfOnes_sumsChannels() {
        // x (1, 2, 1, 2) = [[1, 2], [3, 4]] over channels; w (1, 2, 1, 1) = [1, 1]; y = [1 + 3, 2 + 4] + bias 0.5
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4}, 1, 2, 1, 2);
        Tensor w = Tensor.fromArray(new double[] {1, 1}, 1, 2, 1, 1);
        Tensor y = Functional.conv2d(x, w, Tensor.of(0.5), 1, 0, 1, 1);
        assertArrayEquals(new double[] {4.5, 6.5}, y.toDoubleArray());
    }

    /**
     * The convolutions of the course's worked CNN, Conv2d(3,4,k3,p1) ReLU MaxPool2d(2) Conv2d(4,16,k5,s2,p2)
     * ReLU MaxPool2d(2) Conv2d(16,32,k7,d2,p3) ReLU on 1x3x1024x1024, each fed an input of the shape the
     * pooling before it produces: output shapes, and sampled outputs against the naive sum.
     */
    @Test
    void conv2d_courseWorkedCnnConvolutions_giveShapesUpTo1x32x122x122() {
        Case[] layers = {
            new Case("conv1", 1, 3, 1024, 1024, 4, 3, 3, Conv2dParams.of(1, 1, 1, 1), true),
            new Case("conv2", 1, 4, 512, 512, 16, 5, 5, Conv2dParams.of(2, 2, 1, 1), true),
            new Case("conv3", 1, 16, 128, 128, 32, 7, 7, Conv2dParams.of(1, 3, 2, 1), true),
        };
        int[][] expectedShapes = {{1, 4, 1024, 1024}, {1, 16, 256, 256}, {1, 32, 122, 122}};
        Random rnd = new Random(3);
        for (int l = 0; l < layers.length; l++) {
            Case c = layers[l];
            double[] x = random(rnd, numel(c.xShape()));
            double[] w = random(rnd, numel(c.wShape()));
            double[] b = random(rnd, c.o());
            Tensor y = Functional.conv2d(tensor(x, c.xShape(), DType.FLOAT32), tensor(w, c.wShape(), DType.FLOAT32),
                    tensor(b, new int[] {c.o()}, DType.FLOAT32), c.p());
            assertArrayEquals(expectedShapes[l], y.shape(), c.name());
            int[] ys = c.yShape();
            for (int[] at : new int[][] {{0, 0, 0}, {c.o() - 1, ys[2] - 1, ys[3] - 1}, {c.o() / 2, ys[2] / 2, 1}}) {
                double expected = naiveOutput(c, x, w, b, 0, at[0], at[1], at[2]);
                Tolerances.PERMISSIVE.float32().assertClose(c.name() + " at " + java.util.Arrays.toString(at), expected,
                        y.get(0, at[0], at[1], at[2]));
            }
        }
    }

    // ---------------------------------------------------------------- naive float64 reference

    /** y[img][oc][oy][ox] = bias[oc] + sum over the group's channels and kernel taps inside the input. */
    private static double naiveOutput(Case c, double[] x, double[] w, double[] b, int img, int oc, int oy, int ox) {
        Conv2dParams p = c.p();
        int cg = c.c() / p.groups();
        int grp = oc / (c.o() / p.groups());
        double sum = b == null ? 0 : b[oc];
        for (int ci = 0; ci < cg; ci++) {
            for (int ki = 0; ki < c.kh(); ki++) {
                for (int kj = 0; kj < c.kw(); kj++) {
                    int iy = oy * p.strideH() - p.padH() + ki * p.dilationH();
                    int ix = ox * p.strideW() - p.padW() + kj * p.dilationW();
                    if (iy >= 0 && iy < c.h() && ix >= 0 && ix < c.w()) {
                        int chan = grp * cg + ci;
                        sum += x[((img * c.c() + chan) * c.h() + iy) * c.w() + ix]
                                * w[((oc * cg + ci) * c.kh() + ki) * c.kw() + kj];
                    }
                }
            }
        }
        return sum;
    }

    static double[] naiveForward(Case c, double[] x, double[] w, double[] b) {
        int[] ys = c.yShape();
        double[] y = new double[numel(ys)];
        for (int img = 0; img < ys[0]; img++) {
            for (int oc = 0; oc < ys[1]; oc++) {
                for (int oy = 0; oy < ys[2]; oy++) {
                    for (int ox = 0; ox < ys[3]; ox++) {
                        y[((img * ys[1] + oc) * ys[2] + oy) * ys[3] + ox] = naiveOutput(c, x, w, b, img, oc, oy, ox);
                    }
                }
            }
        }
        return y;
    }

    /** Calls visit(yIndex, xIndex, wIndex) for every product term of the forward sum. */
    private static void forEachTerm(Case c, TermVisitor visit) {
        Conv2dParams p = c.p();
        int[] ys = c.yShape();
        int cg = c.c() / p.groups();
        int og = c.o() / p.groups();
        for (int img = 0; img < ys[0]; img++) {
            for (int oc = 0; oc < ys[1]; oc++) {
                int grp = oc / og;
                for (int oy = 0; oy < ys[2]; oy++) {
                    for (int ox = 0; ox < ys[3]; ox++) {
                        int yi = ((img * ys[1] + oc) * ys[2] + oy) * ys[3] + ox;
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < c.kh(); ki++) {
                                for (int kj = 0; kj < c.kw(); kj++) {
                                    int iy = oy * p.strideH() - p.padH() + ki * p.dilationH();
                                    int ix = ox * p.strideW() - p.padW() + kj * p.dilationW();
                                    if (iy >= 0 && iy < c.h() && ix >= 0 && ix < c.w()) {
                                        int xi = ((img * c.c() + grp * cg + ci) * c.h() + iy) * c.w() + ix;
                                        int wi = ((oc * cg + ci) * c.kh() + ki) * c.kw() + kj;
                                        visit.term(yi, xi, wi);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @FunctionalInterface
    private interface TermVisitor {
        void term(int yIndex, int xIndex, int wIndex);
    }

    static double[] naiveBackwardInput(Case c, double[] gy, double[] w) {
        double[] gx = new double[numel(c.xShape())];
        forEachTerm(c, (yi, xi, wi) -> gx[xi] += gy[yi] * w[wi]);
        return gx;
    }

    static double[] naiveBackwardWeight(Case c, double[] gy, double[] x) {
        double[] gw = new double[numel(c.wShape())];
        forEachTerm(c, (yi, xi, wi) -> gw[wi] += gy[yi] * x[xi]);
        return gw;
    }

    // ---------------------------------------------------------------- helpers

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? Tolerances.BALANCED.float64() : Tolerances.PERMISSIVE.float32();
    }

    private static Tensor tensor(double[] values, int[] shape, DType dtype) {
        return Tensor.fromArray(values, shape).to(dtype);
    }

    private static double[] values(Tensor t) {
        return t.to(DType.FLOAT64).toDoubleArray();
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    static double[] random(Random rnd, int size) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) (rnd.nextDouble() * 2 - 1); // exactly representable in float32 too
        }
        return out;
    }
}
