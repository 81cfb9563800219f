package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 and float16 on the cpu: every op equals the same op in float32 on the same (16-bit exact)
 * inputs, rounded once to the 16-bit type — what PyTorch's kernels for these dtypes compute. Elementwise
 * ops and single-kernel ones match to the bit; reductions that the float32 path sums in another order
 * within one unit in the last place of the 16-bit type.
 */
class HalfPrecisionTest {
    private static final DType[] HALVES = {DType.BFLOAT16, DType.FLOAT16};

    /** A (4, 6) input of 16-bit-exact values, as float32. */
    private static Tensor input(long seed, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, DType.FLOAT32, Device.CPU).to(dtype).to(DType.FLOAT32);
    }

    private record Case(String name, UnaryOperator<Tensor> op, boolean exact) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One op on x and inputs exact in dtype (a composite would round in between, which float32 does not). */
    private static Stream<Case> cases(DType dtype) {
        Tensor w = input(11, dtype, 6, 5);
        Tensor k = input(12, dtype, 3, 2, 2, 2);
        Tensor other = input(14, dtype, 4, 6);
        Tensor positive = input(13, dtype, 4, 6).abs().add(0.5).to(dtype).to(DType.FLOAT32);
        return Stream.of(
                new Case("add", x -> x.add(other.to(x.dtype())), true),
                new Case("add a row", x -> x.add(other.to(x.dtype()).narrow(0, 1, 1)), true),
                new Case("mul", x -> x.mul(x), true),
                new Case("div", x -> x.div(positive.to(x.dtype())), true),
                new Case("exp", Tensor::exp, true),
                new Case("log", x -> positive.to(x.dtype()).log(), true),
                new Case("tanh", Tensor::tanh, true),
                new Case("sigmoid", Tensor::sigmoid, true),
                new Case("gelu", Tensor::gelu, true),
                new Case("relu", Tensor::relu, true),
                new Case("sqrt", x -> x.abs().sqrt(), true),
                new Case("maximum", x -> x.maximum(x.neg()), true),
                new Case("where", x -> Tensor.where(x.gt(0), x, x.mul(0.25)), true),
                new Case("transpose copy", x -> x.t().contiguous(), true),
                new Case("softmax", x -> Functional.softmax(x, 1), true),
                new Case("log_softmax", x -> Functional.logSoftmax(x, 0), true),
                new Case("matmul", x -> x.matmul(w.to(x.dtype())), true),
                new Case("batched matmul", x -> x.reshape(2, 2, 6).matmul(w.to(x.dtype()).reshape(1, 6, 5)), true),
                new Case("conv2d", x -> Functional.conv2d(x.reshape(1, 2, 3, 4), k.to(x.dtype()), null, 1, 1, 1, 1), true),
                new Case("max_pool2d", x -> Functional.maxPool2d(x.reshape(1, 1, 4, 6), 2), true),
                new Case("avg_pool2d", x -> Functional.avgPool2d(x.reshape(1, 1, 4, 6), Pool2dParams.of(2, 2, 0, 1, false)), true),
                new Case("attention", x -> Functional.scaledDotProductAttention(x.reshape(2, 2, 6), x.reshape(2, 2, 6).neg(),
                        x.reshape(2, 2, 6).mul(2), null, false, Double.NaN), true),
                new Case("index_select", x -> x.indexSelect(1, Tensor.fromArray(new long[] {5, 0, 2}, 3)), true),
                new Case("cat", x -> Tensor.cat(new Tensor[] {x, x.neg()}, 0), true),
                new Case("sum", x -> x.sum(1), false),
                new Case("mean", x -> x.mean(0), false),
                new Case("var", x -> x.var(new int[] {1}, 1, false), false),
                new Case("max", x -> x.max(), true),
                new Case("argmax", x -> x.argmax(1).to(x.dtype()), true),
                new Case("gather", x -> x.gather(1, Tensor.fromArray(new long[] {5, 0, 1, 1, 2, 3, 4, 5}, 4, 2)), true),
                new Case("index_add", x -> x.indexAdd(0, Tensor.fromArray(new long[] {3, 0}, 2), other.to(x.dtype()).narrow(0, 0, 2)),
                        true),
                new Case("dropout (the float32 draws)", x -> Functional.dropout(x, 0.5, true, new Generator(4)), true));
    }

    private static Stream<Arguments> casesByDType() {
        return Stream.of(HALVES).flatMap(t -> cases(t).map(c -> Arguments.of(c, t)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesByDType")
    void opIsTheFloat32OpRoundedOnce(Case c, DType dtype) {
        Tensor x32 = input(3, dtype, 4, 6);
        Tensor want = c.op.apply(x32).to(dtype);
        Tensor got = c.op.apply(x32.to(dtype));
        assertEquals(dtype, got.dtype(), c.name);
        assertArrayEquals(want.shape(), got.shape(), c.name);
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        double ulp = dtype == DType.BFLOAT16 ? 0x1p-8 : 0x1p-11;   // of a value in [1, 2)
        for (int i = 0; i < w.length; i++) {
            if (c.exact) {
                assertEquals(w[i], g[i], 0.0, c.name + " element " + i);
            } else {
                assertEquals(w[i], g[i], Math.max(Math.abs(w[i]), 1e-3) * ulp * 1.01, c.name + " element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"BFLOAT16", "FLOAT16"})
    void creationCastsAndPrinting(DType dtype) {
        Tensor z = Tensor.zeros(new int[] {2, 3}, dtype, Device.CPU);
        assertEquals(dtype, z.dtype());
        assertEquals(2, dtype.byteSize());
        assertTrue(dtype.isFloatingPoint() && dtype.isHalf());
        assertArrayEquals(new float[] {1.5f, 1.5f}, Tensor.full(new int[] {2}, 1.5, dtype, Device.CPU).toFloatArray());
        Tensor third = Tensor.full(new int[0], 1.0 / 3, dtype, Device.CPU);
        assertEquals(dtype == DType.BFLOAT16 ? 0.333984375 : 0.333251953125, third.item(), 0.0, "1/3 rounded to nearest");
        assertArrayEquals(new long[] {0, 1, 2}, Tensor.arange(0, 3, 1, dtype, Device.CPU).to(DType.INT64).toLongArray());
        Tensor r = Tensor.rand(new Generator(1), 1000).to(dtype);
        assertTrue(r.min().item() >= 0 && r.max().item() <= 1);
        assertTrue(Tensor.uniform(new Generator(1), 0, 1, new int[] {8}, dtype, Device.CPU).toString()
                .contains("dtype=" + dtype), "printed with its dtype");
        Tensor nan = Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, -0f).to(dtype);
        float[] back = nan.toFloatArray();
        assertTrue(Float.isNaN(back[0]));
        assertEquals(Float.POSITIVE_INFINITY, back[1]);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[2]), "negative zero kept");
    }

    @ParameterizedTest
    @EnumSource(names = {"BFLOAT16", "FLOAT16"})
    void optimizerStepsRoundTheParametersOnce(DType dtype) {
        Tensor p32 = input(8, dtype, 10);
        Tensor g32 = input(9, dtype, 10);
        Tensor p = p32.to(dtype);
        Tensor g = g32.to(dtype);
        Tensor m = Tensor.zeros(new int[] {10}, dtype, Device.CPU);
        Tensor v = Tensor.zeros(new int[] {10}, dtype, Device.CPU);
        Tensor m32 = Tensor.zeros(10);
        Tensor v32 = Tensor.zeros(10);
        dev.kiln.AdamParams a = new dev.kiln.AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 1);
        dev.kiln.FusedOptim.adam_(p, g, m, v, null, a);
        dev.kiln.FusedOptim.adam_(p32, g32, m32, v32, null, a);
        assertArrayEquals(p32.to(dtype).toFloatArray(), p.toFloatArray(), 0f);
        assertArrayEquals(m32.to(dtype).toFloatArray(), m.toFloatArray(), 0f);
    }
}
