package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MaxPool2d / AvgPool2d with per-dim geometry, return_indices, divisor_override and unbatched (C, H, W)
 * input (issue #12), on every device, against PyTorch 1.13 values (/usr/bin/python3; j(t) prints t's
 * elements in order).
 */
class PoolingBehaviourTest {
    /** x = torch.sin(torch.arange(60, dtype=torch.float64) * 1.3).reshape(1, 2, 5, 6) */
    private static Tensor input(Device d) {
        return Tensor.arange(0, 60, 1, DType.FLOAT64, Device.CPU).mul(1.3).sin().reshape(1, 2, 5, 6).to(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void maxPool2d_nonSquareGeometry_returnsPyTorchsFlatIndices(TestDevice target) {
        Device d = target.use();
        // kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)
        MaxPool2d pool = new MaxPool2d(new Pool2dParams(3, 2, 2, 1, 1, 0, 1, 2, false, true));
        // y, i = F.max_pool2d(x, (3, 2), (2, 1), (1, 0), (1, 2), return_indices=True); j(y); j(i)
        Tensor[] yi = pool.forwardWithIndices(input(d));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("max_pool2d",
                Tensor.of(0.998543345374605, 0.963558185417193, 0.5155013718214642, 0.9867719642746133,
                0.998543345374605, 0.8273279005953786, 0.9287952340772404, 0.9867719642746133, 0.7625584504796027,
                0.8838704235458306, 0.7625584504796027, 0.8273279005953786, 0.9637953862840878, 0.514740116923832,
                0.9866275920404853, 0.9985908724117705, 0.8268286794901034, 0.9284657227653786, 0.9866275920404853,
                0.9284657227653786, 0.8842854941544844, 0.7631327155167837, 0.8268286794901034, 0.9640318268873361)
                .reshape(1, 2, 3, 4), yi[0]);
        assertArrayEquals(new long[] {6, 1, 2, 11, 6, 21, 16, 11, 20, 25, 20, 21, 0, 1, 10, 5, 20, 15, 10, 15, 24, 19, 20, 29},
                yi[1].toLongArray());
        assertTrue(yi[1].dtype() == DType.INT64);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("forward", yi[0], pool.forward(input(d)));
        // unbatched: (C, H, W) -> (C, OH, OW) values and indices
        Tensor[] unbatched = pool.forwardWithIndices(input(d).squeeze(0));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("unbatched max_pool2d", yi[0].squeeze(0), unbatched[0]);
        assertArrayEquals(new int[] {2, 3, 4}, unbatched[1].shape());
        assertArrayEquals(yi[1].toLongArray(), unbatched[1].toLongArray());
        // repr(nn.MaxPool2d((3, 2), (2, 1), (1, 0), (1, 2)))
        assertEquals("MaxPool2d(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), ceil_mode=false)",
                pool.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void avgPool2d_divisorOverride_forwardAndBackward(TestDevice target) {
        Device d = target.use();
        // kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, divisor_override=5
        AvgPool2d pool = new AvgPool2d(new Pool2dParams(3, 2, 2, 1, 1, 1, 1, 1, true, true, 5));
        // xl = x.clone().requires_grad_(); y = F.avg_pool2d(xl, (3, 2), (2, 1), (1, 1), ceil_mode=True, divisor_override=5)
        // y.backward(torch.ones_like(y)); j(y); j(xl.grad)
        Tensor x = input(d).requiresGrad_(true);
        Tensor y = pool.forward(x);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("avg_pool2d divisor_override=5",
                Tensor.of(0.199708669074921, 0.45623997862822996, 0.1940662901004711,
                -0.35241496807343914, -0.38260747239930365, 0.14772086669378331, 0.24037839047248574, 0.023876287910679594,
                -0.18200102538097024, -0.3398974814941168, 0.0001566690767224932, 0.3399812990831262, 0.18173252944128046,
                -0.02407193236265619, -0.24023361968330673, -0.14733171818878685, 0.38283782083138823, 0.3521490554399588,
                -0.19443890116850146, -0.45617341204321116, -0.19952137477161938, 0.2564103794773139, 0.19369352594855116,
                -0.3526806027140049, -0.3823768221577718, 0.14810989867321234, 0.4616152709633523, 0.22109229931761037,
                -0.20595000237867067, -0.33981339578626846, 0.00047000710658382514, 0.34006484848718255, 0.1814638901468542,
                -0.24298209238329335, -0.21871453455714662, 0.0931462059272131, 0.38306786727232495, 0.3518828650233239,
                -0.19481135885871642, -0.45610648561826317, -0.049204542403206, 0.1501293806781287).reshape(1, 2, 3, 7), y);
        y.backward(Tensor.onesLike(y));
        double[] row04 = {0.4, 0.4, 0.4, 0.4, 0.4, 0.4};
        double[] row08 = {0.8, 0.8, 0.8, 0.8, 0.8, 0.8};
        Tensor plane = Tensor.cat(new Tensor[] {Tensor.of(row04), Tensor.of(row08), Tensor.of(row04), Tensor.of(row08),
            Tensor.of(row04)}, 0).reshape(1, 1, 5, 6);
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("avg_pool2d backward, divisor 5", Tensor.cat(new Tensor[] {plane, plane}, 1),
                x.grad());
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("unbatched avg_pool2d", y.squeeze(0), pool.forward(input(d).squeeze(0)));
        assertEquals("AvgPool2d(kernel_size=(3, 2), stride=(2, 1), padding=1, divisor_override=5)", pool.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void avgPool2d_nonSquareExcludingPad(TestDevice target) {
        Device d = target.use();
        // F.avg_pool2d(x, (2, 3), (1, 2), (1, 1), count_include_pad=False); j(...)
        AvgPool2d pool = new AvgPool2d(new Pool2dParams(2, 3, 1, 2, 1, 1, 1, 1, false, false));
        Tolerances.BALANCED.of(DType.FLOAT64).assertClose("avg_pool2d (2, 3)",
                Tensor.of(0.4817790927085965, 0.2637644660182277, -0.4520336089387705,
                0.5702999732852875, -0.0799030487667751, -0.11852423493901487, 0.12406783682225739, -0.36652144267939774,
                0.3451089875924973, -0.556911708657202, 0.040351411596782884, 0.15576523607002132, -0.18416464773598357,
                0.37087579744539884, -0.3283002299501007, 0.33480894162497316, 0.35157644989021425, -0.4928980959159901,
                0.7392677516039599, -0.35223623457308567, 0.11051331586485857, 0.24211690743568895, -0.3709113964054454,
                0.3076684983256856, -0.5109113074824267, -0.03969546842763633, 0.22439315646764765, -0.29724977636654454,
                0.36662782501855656, -0.2834540440685, 0.47883483409040617, 0.07925858540532958, -0.2549809207834454,
                0.78538054268163, -0.2645428578439216, 0.0009088787188920774).reshape(1, 2, 6, 3), pool.forward(input(d)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void pooling_refusesOtherRanksAndMisplacedArguments(TestDevice target) {
        Device d = target.use();
        Tensor flat = Tensor.zeros(new int[] {5, 6}, DType.FLOAT64, d);
        String msg = assertThrows(IllegalArgumentException.class, () -> Functional.maxPool2d(flat, 2)).getMessage();
        assertTrue(msg.contains("max_pool2d: expected 3D (unbatched) or 4D (batched) input") && msg.contains("[5, 6]"), msg);
        assertThrows(IllegalArgumentException.class, () -> Functional.avgPool2d(flat, Pool2dParams.of(2)));
        Pool2dParams divisor = new Pool2dParams(2, 2, 2, 2, 0, 0, 1, 1, false, true, 3);
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(divisor));
        assertThrows(IllegalArgumentException.class, () -> Functional.maxPool2d(input(d), divisor));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(Pool2dParams.of(3, 1, 1, 2, false)));
    }
}
