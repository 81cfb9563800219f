package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import dev.kiln.testing.TestDevice;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generative workloads' layers (ConvTranspose2d, Upsample, GroupNorm, SiLU) against PyTorch on every device, in
 * float32 and float64: output, input gradient, parameter gradients (goldens: scripts/goldens/make_goldens.py --only generative);
 * and float64 gradchecks of their functions on every device.
 */
class GenerativeLayersTest {
    private static final Generator G = new Generator(0);
    private static final Map<String, Supplier<Layer>> CASES = new LinkedHashMap<>();

    static {
        CASES.put("convtranspose2d", () -> new ConvTranspose2d(4, 6, 3, 2, 1, 1, 2, true, 1, G));
        CASES.put("convtranspose2d_dilated", () -> new ConvTranspose2d(3, 2, 3, 1, 2, 0, 1, false, 2, G));
        CASES.put("convtranspose2d_k4s2", () -> new ConvTranspose2d(3, 4, 4, 2, 1, 0, G));
        CASES.put("upsample_nearest2x", () -> Upsample.scale(2, "nearest", false));
        CASES.put("upsample_nearest_size", () -> Upsample.size(9, 7, "nearest", false));
        CASES.put("upsample_bilinear2x", () -> Upsample.scale(2, "bilinear", false));
        CASES.put("upsample_bilinear_ac", () -> Upsample.size(7, 5, "bilinear", true));
        CASES.put("upsample_bilinear_down", () -> Upsample.size(2, 3, "bilinear", false));
        CASES.put("groupnorm", () -> new GroupNorm(3, 6));
        CASES.put("groupnorm_noaffine", () -> new GroupNorm(2, 4, 1e-5, false));
        CASES.put("silu", SiLU::new);
    }

    static Stream<Arguments> cases() {
        return TestDevice.all().stream().flatMap(d -> Stream.of(DType.FLOAT32, DType.FLOAT64)
                .flatMap(t -> CASES.keySet().stream().map(c -> Arguments.of(d, t, c))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void layerMatchesPyTorch(TestDevice target, DType dtype, String name) {
        Device device = target.use();
        LayerGoldens gold = LayerGoldens.load("generative", dtype);
        Tolerance tol = Tolerances.BALANCED.of(dtype);
        Layer layer = CASES.get(name).get();
        layer.to(dtype);
        layer.loadStateDict(gold.withPrefix(name + ".p."));
        layer.to(device);
        Tensor x = gold.get(name + ".x").to(device);
        x.requiresGrad_(true);
        Tensor y = layer.forward(x);
        assertEquals(device, y.device());
        tol.assertClose(name + " output", gold.get(name + ".y"), y.to(Device.CPU));
        y.backward(gold.get(name + ".gy").to(device));
        tol.assertClose(name + " input gradient", gold.get(name + ".gx"), x.grad().to(Device.CPU));
        layer.namedParameters().forEach((k, p) -> tol.assertClose(name + " grad of " + k, gold.get(name + ".g." + k),
                p.grad().to(Device.CPU)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.testing.TestDevice#all")
    void float64GradientsEqualCentralDifferences(TestDevice target) {
        Device d = target.use();
        Generator g = new Generator(5);
        Tensor x = leaf(g, d, 1, 4, 3, 3);
        Tensor w = leaf(g, d, 4, 2, 3, 3);                                  // (in, out / groups, k, k), groups 2 -> out 4
        Tensor b = leaf(g, d, 4);
        GradCheck.gradcheck(a -> Functional.convTranspose2d(a[0], a[1], a[2], 2, 1, 1, 2, 1), x, w, b);
        GradCheck.gradcheck(a -> Functional.convTranspose2d(a[0], a[1], null, 1, 2, 0, 2, 2), x, w);
        Tensor img = leaf(g, d, 1, 2, 3, 4);
        GradCheck.gradcheck(a -> Functional.interpolate(a[0], 5, 7, "nearest", false), img);
        GradCheck.gradcheck(a -> Functional.interpolate(a[0], 2.0, "bilinear", false), img);
        GradCheck.gradcheck(a -> Functional.interpolate(a[0], 4, 3, "bilinear", true), img);
        Tensor seq = leaf(g, d, 2, 4, 3);
        GradCheck.gradcheck(a -> Functional.groupNorm(a[0], 2, a[1], a[2], 1e-5), seq, leaf(g, d, 4), leaf(g, d, 4));
        GradCheck.gradcheck(a -> Functional.silu(a[0]), leaf(g, d, 3, 4));
    }

    private static Tensor leaf(Generator g, Device d, int... shape) {
        return Tensor.randn(g, shape).to(DType.FLOAT64).to(d).requiresGrad_(true);
    }

    /** The output size rule, and bad arguments named with their shapes. */
    @Test
    void shapesFollowPyTorchAndBadArgumentsAreNamed() {
        ConvTranspose2d up = new ConvTranspose2d(8, 4, 4, 2, 1, 0, G);       // DCGAN's doubling block
        assertArrayEquals(new int[] {2, 4, 14, 14}, up.forward(Tensor.zeros(2, 8, 7, 7)).shape());
        assertArrayEquals(new int[] {4, 14, 14}, up.forward(Tensor.zeros(8, 7, 7)).shape());   // unbatched
        var e = assertThrows(IllegalArgumentException.class, () -> up.forward(Tensor.zeros(2, 3, 7, 7)));
        assertTrue(e.getMessage().contains("conv_transpose2d") && e.getMessage().contains("[2, 3, 7, 7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.convTranspose2d(Tensor.zeros(1, 8, 3, 3), up.weight(), null, 2, 1, 2, 1, 1));
        assertTrue(e.getMessage().contains("output padding 2"), e.getMessage());
        assertArrayEquals(new int[] {1, 3, 7, 10}, Upsample.scale(2.5, "nearest", false).forward(Tensor.zeros(1, 3, 3, 4)).shape());
        e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.interpolate(Tensor.zeros(1, 1, 2, 2), 4, 4, "nearest", true));
        assertTrue(e.getMessage().contains("align_corners"), e.getMessage());
    }
}
