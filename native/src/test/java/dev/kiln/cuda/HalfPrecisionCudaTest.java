package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.AdamParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.FusedOptim;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 on every CUDA target: stored and moved as their bits, cast by their own kernels,
 * computed by the float32 kernels and rounded once. Each op equals the cpu backend's result, or is one unit
 * in the 16-bit type's last place from it (the float32 kernels and the cpu's double loops may round a
 * value's last float bit apart, which can move the 16-bit rounding).
 */
class HalfPrecisionCudaTest {
    private static Tensor input(long seed, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, DType.FLOAT32, Device.CPU).to(dtype);
    }

    private record Op(String name, UnaryOperator<Tensor> f) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Stream<Op> ops(DType dtype) {
        Tensor other = input(14, dtype, 4, 6);
        Tensor w = input(11, dtype, 6, 5);
        Tensor k = input(12, dtype, 3, 2, 2, 2);
        return Stream.of(
                new Op("add", x -> x.add(other.to(x.device()))),
                new Op("mul by a scalar", x -> x.mul(0.75)),
                new Op("exp", Tensor::exp),
                new Op("tanh", Tensor::tanh),
                new Op("where", x -> Tensor.where(x.gt(0), x, x.neg())),
                new Op("transpose copy", x -> x.t().contiguous()),
                new Op("sum", x -> x.sum(1)),
                new Op("argmax", x -> x.argmax(1).to(x.dtype())),
                new Op("matmul", x -> x.matmul(w.to(x.device()))),
                new Op("softmax", x -> Functional.softmax(x, 1)),
                new Op("conv2d", x -> Functional.conv2d(x.reshape(1, 2, 3, 4), k.to(x.device()), null, 1, 1, 1, 1)),
                new Op("max_pool2d", x -> Functional.maxPool2d(x.reshape(1, 1, 4, 6), 2)),
                new Op("avg_pool2d", x -> Functional.avgPool2d(x.reshape(1, 1, 4, 6), Pool2dParams.of(2, 2, 0, 1, false))),
                new Op("attention", x -> Functional.scaledDotProductAttention(x.reshape(2, 2, 6), x.reshape(2, 2, 6).neg(),
                        x.reshape(2, 2, 6), null, true, Double.NaN)),
                new Op("index_select", x -> x.indexSelect(1, Tensor.fromArray(new long[] {5, 0, 2}, 3).to(x.device()))),
                new Op("cat", x -> Tensor.cat(new Tensor[] {x, x.mul(2)}, 0)),
                new Op("full", x -> Tensor.full(new int[] {3}, 1.0 / 3, x.dtype(), x.device())),
                new Op("arange", x -> Tensor.arange(0, 5, 0.5, x.dtype(), x.device())));
    }

    static Stream<Arguments> cases() {
        return Target.all().flatMap(t -> Stream.of(DType.BFLOAT16, DType.FLOAT16)
                .flatMap(d -> ops(d).map(op -> Arguments.of(t, d, op))));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void opMatchesTheCpuBackend(Target target, DType dtype, Op op) {
        Device dev = target.use();
        Tensor x = input(3, dtype, 4, 6);
        Tensor want = op.f.apply(x);
        Tensor got = op.f.apply(x.to(dev));
        assertEquals(dev, got.device(), op.name);
        assertEquals(want.dtype(), got.dtype(), op.name);
        assertArrayEquals(want.shape(), got.shape(), op.name);
        assertWithinOneUnit(dtype, op.name, want.toFloatArray(), got.to(Device.CPU).toFloatArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void adamStepsTheParametersAsTheCpuDoes(Target target) {
        Device dev = target.use();
        for (DType dtype : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            Tensor p = input(8, dtype, 10);
            Tensor g = input(9, dtype, 10);
            Tensor pd = p.to(dev);
            Tensor m = Tensor.zeros(new int[] {10}, dtype, Device.CPU);
            Tensor v = Tensor.zeros(new int[] {10}, dtype, Device.CPU);
            Tensor md = m.to(dev);
            Tensor vd = v.to(dev);
            AdamParams a = new AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 1);
            FusedOptim.adam_(p, g, m, v, null, a);
            FusedOptim.adam_(pd, g.to(dev), md, vd, null, a);
            assertWithinOneUnit(dtype, "adam param", p.toFloatArray(), pd.to(Device.CPU).toFloatArray());
            assertWithinOneUnit(dtype, "adam exp_avg", m.toFloatArray(), md.to(Device.CPU).toFloatArray());
        }
    }

    private static void assertWithinOneUnit(DType dtype, String what, float[] want, float[] got) {
        int bits = dtype == DType.BFLOAT16 ? 8 : 11;   // significand bits, the implicit one included
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) {
                assertEquals(Float.NaN, got[i], what + " element " + i);
                continue;
            }
            double ulp = Math.scalb(1.0, Math.getExponent(Math.max(Math.abs(want[i]), Float.MIN_NORMAL)) - bits + 1);
            assertEquals(want[i], got[i], ulp * 1.0001, what + " element " + i);
        }
    }
}
