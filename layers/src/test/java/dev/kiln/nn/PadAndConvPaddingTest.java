package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * F.pad in its four modes, Conv2d's padding_mode and padding='same' with even kernels, and unbatched
 * (C, H, W) input to conv2d (issue #12), on every device, against PyTorch 1.13 values
 * (/usr/bin/python3; j(t) prints t's elements in order).
 */
class PadAndConvPaddingTest {
    /** x = torch.arange(6., dtype=torch.float64).reshape(1, 1, 2, 3) */
    private static Tensor small(Device d) {
        return Tensor.arange(0, 6, 1, DType.FLOAT64, d).reshape(1, 1, 2, 3);
    }

    private static void checkPad(Device d, String mode, int[] pad, double value, int[] outShape, double[] y, double[] gx) {
        Tensor x = small(d).requiresGrad_(true);
        Tensor out = Functional.pad(x, pad, mode, value);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose(mode + " pad", Tensor.of(y).reshape(outShape), out);
        // grad_out = torch.arange(float(y.numel()), dtype=torch.float64).reshape(y.shape); y.backward(grad_out)
        out.backward(Tensor.arange(0, out.numel(), 1, DType.FLOAT64, d).reshape(outShape));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose(mode + " pad gradient", Tensor.of(gx).reshape(1, 1, 2, 3), x.grad());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void pad_fourModes_valuesAndGradients(TestDevice target) {
        Device d = target.use();
        // y = F.pad(x, (2, -1, 1, 2), mode='constant', value=0.5): a negative pad crops
        checkPad(d, "constant", new int[] {2, -1, 1, 2}, 0.5, new int[] {1, 1, 5, 4},
                new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 1.0, 0.5, 0.5, 3.0, 4.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
                new double[] {6.0, 7.0, 0.0, 10.0, 11.0, 0.0});
        // y = F.pad(x, (2, 1, 1, 0), mode=m) for m in reflect, replicate, circular
        int[] pad = {2, 1, 1, 0};
        int[] shape = {1, 1, 3, 6};
        checkPad(d, "reflect", pad, 0, shape,
                new double[] {5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4},
                new double[] {8.0, 27.0, 16.0, 16.0, 54.0, 32.0});
        checkPad(d, "replicate", pad, 0, shape,
                new double[] {0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 2, 2, 3, 3, 3, 4, 5, 5},
                new double[] {24.0, 12.0, 30.0, 39.0, 15.0, 33.0});
        checkPad(d, "circular", pad, 0, shape,
                new double[] {4, 5, 3, 4, 5, 3, 1, 2, 0, 1, 2, 0, 4, 5, 3, 4, 5, 3},
                new double[] {19.0, 15.0, 17.0, 38.0, 30.0, 34.0});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void pad_refusesWhatPyTorchRefuses(TestDevice target) {
        Device d = target.use();
        Tensor x = small(d);
        String reflect = assertThrows(IllegalArgumentException.class,
                () -> Functional.pad(x, new int[] {3, 0}, "reflect", 0)).getMessage();
        assertTrue(reflect.contains("should be less than the size 3") && reflect.contains("[1, 1, 2, 3]"), reflect);
        String circular = assertThrows(IllegalArgumentException.class,
                () -> Functional.pad(x, new int[] {0, 0, 0, 3}, "circular", 0)).getMessage();
        assertTrue(circular.contains("wrap around more than once"), circular);
        assertThrows(IllegalArgumentException.class, () -> Functional.pad(x, new int[] {1, 1, 1}, "constant", 0));
        assertThrows(IllegalArgumentException.class, () -> Functional.pad(x, new int[] {-2, -2}, "constant", 0));
        assertThrows(IllegalArgumentException.class, () -> Functional.pad(x, new int[] {1, 1}, "symmetric", 0));
    }

    /** x = (torch.arange(40, dtype=torch.float64) / 10 - 1).reshape(1, 2, 4, 5) */
    private static Tensor convInput(Device d) {
        return Tensor.arange(0, 40, 1, DType.FLOAT64, d).div(10).sub(1).reshape(1, 2, 4, 5);
    }

    /** w = torch.sin(torch.arange(12, dtype=torch.float64)).reshape(1, 2, 2, 3); bias 0.25 */
    private static Conv2d conv(Conv2d c, Device d) {
        c.to(DType.FLOAT64);
        c.to(d);
        try (GradMode.Scope s = GradMode.noGrad()) {
            c.weight().copy_(Tensor.arange(0, 12, 1, DType.FLOAT64, d).sin().reshape(1, 2, 2, 3));
            c.bias().fill_(0.25);
        }
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void conv2dSameWithAnEvenKernel_inEveryPaddingMode(TestDevice target) {
        Device d = target.use();
        // c = nn.Conv2d(2, 1, (2, 3), padding='same', padding_mode=m).double(), weight w and bias 0.25; j(c(x))
        String[] modes = {"zeros", "reflect", "replicate", "circular"};
        double[][] expected = {
            {-1.318603038242462, -1.0366632956522257, -0.9955434791854948, -0.9544236627187639, 0.05728791032714198,
                -1.249915453460157, -0.8310642133185719, -0.7899443968518409, -0.7488245803851101, 0.2930163965431849,
                -1.1812278686778526, -0.6254651309849186, -0.5843453145181878, -0.543225498051457, 0.5287448827592276,
                5.431111886517122, 5.072284466717383, 5.384054242595065, 5.695824018472747, 2.1302216276546027},
            {-1.0230185130984166, -1.0366632956522257, -0.9955434791854948, -0.9544236627187639, -0.9012520846990777,
                -0.8174194307647626, -0.8310642133185719, -0.7899443968518409, -0.7488245803851101, -0.6956530023654237,
                -0.6118203484311096, -0.6254651309849186, -0.5843453145181878, -0.543225498051457, -0.4900539200317704,
                2.3002783280120607, 2.2866335454582507, 2.3277533619249824, 2.3688731783917136, 2.4220447564113994},
            {-1.0504008126086863, -1.0366632956522257, -0.9955434791854948, -0.9544236627187639, -0.9072779654755556,
                -0.8448017302750328, -0.8310642133185719, -0.7899443968518409, -0.7488245803851101, -0.7016788831419014,
                -0.6392026479413793, -0.6254651309849186, -0.5843453145181878, -0.543225498051457, -0.4960798008082481,
                0.9196462314470328, 0.9333837484034935, 0.9745035648702243, 1.015623381336955, 1.062769078580164},
            {-0.9408716145676074, -1.0366632956522257, -0.9955434791854948, -0.9544236627187639, -0.8831744423696439,
                -0.7352725322339535, -0.8310642133185719, -0.7899443968518409, -0.7488245803851101, -0.6775753600359904,
                -0.5296734499003, -0.6254651309849186, -0.5843453145181878, -0.543225498051457, -0.4719762777023373,
                5.0889248206523865, 4.993133139567767, 5.034252956034499, 5.075372772501228, 5.146621992850349}};
        Tensor x = convInput(d);
        for (int m = 0; m < modes.length; m++) {
            Conv2d c = conv(Conv2d.same(2, 1, 2, 3, 1, 1, 1, modes[m], true, new Generator(0)), d);
            Tensor y = c.forward(x);
            Tolerances.BALANCED.of(DType.FLOAT64).assertClose("same, padding_mode " + modes[m], Tensor.of(expected[m]).reshape(1, 1, 4, 5),
                    y);
            // unbatched (C, H, W) in, (O, OH, OW) out, as PyTorch
            Tolerances.BALANCED.of(DType.FLOAT64).assertClose("unbatched, padding_mode " + modes[m], y.squeeze(0), c.forward(x.squeeze(0)));
        }
        assertEquals("Conv2d(2, 1, kernel_size=(2, 3), stride=(1, 1), padding=same, dilation=(1, 1), groups=1, bias=true,"
                + " padding_mode=circular)", Conv2d.same(2, 1, 2, 3, 1, 1, 1, "circular", true, new Generator(0)).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(2, 1, 2, 3, Conv2dParams.of(1, 1, 1, 1), "mirror", true, new Generator(0)));
        assertTrue(e.getMessage().contains("padding_mode must be one of [zeros, reflect, replicate, circular]"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void conv2dCircularPaddingWithStride(TestDevice target) {
        Device d = target.use();
        // c = nn.Conv2d(2, 1, (2, 3), padding=(1, 2), padding_mode='circular', stride=(2, 1)).double(); j(c(x))
        Conv2d c = conv(new Conv2d(2, 1, 2, 3, new Conv2dParams(2, 1, 1, 2, 1, 1, 1), "circular", true,
                new Generator(0)), d);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("circular, stride (2, 1)",
                Tensor.of(5.146621992850349, 5.0889248206523865, 4.993133139567767, 5.034252956034499,
                5.075372772501228, 5.146621992850349, 5.0889248206523865, -0.6775753600359904, -0.7352725322339535,
                -0.8310642133185719, -0.7899443968518409, -0.7488245803851101, -0.6775753600359904, -0.7352725322339535,
                5.146621992850349, 5.0889248206523865, 4.993133139567767, 5.034252956034499, 5.075372772501228,
                5.146621992850349, 5.0889248206523865).reshape(1, 1, 3, 7), c.forward(convInput(d)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void functionalConv2dSame_evenDilatedKernel_padsTheExtraOnTheRight(TestDevice target) {
        Device d = target.use();
        // w2 = torch.cos(torch.arange(8, dtype=torch.float64)).reshape(1, 2, 2, 2)
        // F.conv2d(x, w2, None, padding='same', dilation=(1, 3)): W pads 3 = 1 left + 2 right, H pads 1 = 0 top + 1 bottom
        Tensor w = Tensor.arange(0, 8, 1, DType.FLOAT64, d).cos().reshape(1, 2, 2, 2);
        Tensor y = Functional.conv2dSame(convInput(d), w, null, 1, 3, 1);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("F.conv2d padding='same' dilation (1, 3)",
                Tensor.of(1.4867843592251115, 1.5402570115180418, 1.6880824193494255,
                0.17276119323343075, 0.2617991761573917, 1.7807214837622238, 2.2793840506749596, 2.427209458506344,
                0.6179511078532365, 0.7069890907771974, 2.0746586082993366, 3.0185110898318785, 3.166336497663262,
                1.0631410224730424, 1.1521790053970031, 1.1440995148584088, 0.09238691183251546, 0.20941899887929072,
                -1.0648377763317525, -1.0302021384181133).reshape(1, 1, 4, 5), y);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("unbatched same", y.squeeze(0),
                Functional.conv2dSame(convInput(d).squeeze(0), w, null, 1, 3, 1));
        // kernel (2, 4): totals 1 and 3 -> (left, right, top, bottom) = (1, 2, 0, 1)
        assertArrayEquals(new int[] {1, 2, 0, 1}, Functional.samePadding(2, 4, 1, 1));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(Tensor.zeros(new int[] {4, 5}, DType.FLOAT64, d), w, null, 1, 0, 1, 1)).getMessage();
        assertTrue(msg.contains("expected 3D (unbatched) or 4D (batched) input") && msg.contains("[4, 5]"), msg);
    }
}
