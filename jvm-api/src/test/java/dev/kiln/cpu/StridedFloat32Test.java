package dev.kiln.cpu;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * float32 elementwise results, whether they come from {@link Float32Loops} (contiguous or broadcast
 * runs) or the double chunks (other views), are bit for bit the float64 results rounded to float32 (erf,
 * GELU, tanh and sigmoid: the same bits on every layout, within 2.5 float32 units of float64's, see
 * {@link Float32Functions}): operands broadcast along any dim, contiguous or transposed, with NaN, infinities,
 * signed zeros and subnormals among the values. GELU's gradient (GELU'(b) also by Float32Functions) likewise.
 */
class StridedFloat32Test {
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_NORMAL, Float.MAX_VALUE, 1f, -1f, 3f};
    private static final CpuBackend CPU = CpuBackend.INSTANCE;

    @Property(tries = 300)
    void binary_anyBroadcastAndLayout_isFloat64RoundedToFloat32(@ForAll BinaryOp op, @ForAll @IntRange(min = 1, max = 5) int d0,
                                                               @ForAll @IntRange(min = 1, max = 70) int d1,
                                                               @ForAll @IntRange(max = 7) int broadcastA,
                                                               @ForAll @IntRange(max = 7) int broadcastB,
                                                               @ForAll boolean transposeA, @ForAll long seed) {
        if (!Float32Loops.has(op)) {
            return;
        }
        Random rnd = new Random(seed);
        Tensor a = operand(rnd, d0, d1, broadcastA, transposeA);
        Tensor b = operand(rnd, d0, d1, broadcastB, false);
        Tensor expected = tensor(CPU.binary(op, nd(a.to(DType.FLOAT64)), nd(b.to(DType.FLOAT64)))).to(DType.FLOAT32);
        Tensor actual = tensor(CPU.binary(op, nd(a), nd(b)));
        if (op != BinaryOp.GELU_BACKWARD && op != BinaryOp.GELU_TANH_BACKWARD && op != BinaryOp.SILU_BACKWARD) {
            assertSameBits(op + " " + a + " " + b, expected, actual);
            return;
        }
        // GELU's and SiLU's derivatives by Float32Functions: the same bits on every layout, within its accuracy of
        // float64's, a few float32 units of the gradient (the derivative crosses 0, so no relative bound)
        int[] shape = actual.shape();
        Tensor g = a.expand(shape).contiguous();
        assertSameBits(op + " " + a + " " + b, tensor(CPU.binary(op, nd(g), nd(b.expand(shape).contiguous()))), actual);
        float[] gs = g.toFloatArray();
        float[] e = expected.contiguous().toFloatArray();
        float[] got = actual.contiguous().toFloatArray();
        for (int i = 0; i < e.length; i++) {
            // SiLU' in float32 lanes underflows to 0 where float64's is still tiny (x below about -87): an infinite
            // gradient times it is NaN there, as in PyTorch's float32 kernel, where float64 gives an infinity
            boolean underflow = op == BinaryOp.SILU_BACKWARD && CpuGemm.usesVectorApi() && Float.isInfinite(gs[i])
                    && Float.isNaN(got[i]);
            boolean close = Float.isNaN(e[i]) ? Float.isNaN(got[i])
                    : underflow || got[i] == e[i] || Math.abs(got[i] - e[i]) <= 4e-7 * Math.max(Math.abs(gs[i]), Math.abs(e[i]));
            assertTrue(close, op + " " + a + " " + b + " at " + i + ": " + got[i] + " against " + e[i]);
        }
    }

    /** where on float32 runs (leaky_relu and its gradient use it) picks the float64 route's bits, NaN payloads too. */
    @Property(tries = 200)
    void where_anyBroadcastAndLayout_picksTheFloat64RoutesBits(@ForAll @IntRange(min = 1, max = 5) int d0,
                                                               @ForAll @IntRange(min = 1, max = 70) int d1,
                                                               @ForAll @IntRange(max = 7) int broadcastCond,
                                                               @ForAll @IntRange(max = 7) int broadcastA,
                                                               @ForAll boolean transposeA, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor cond = tensor(CPU.compare(CompareOp.GT, nd(operand(rnd, d0, d1, broadcastCond, false)),
                nd(Tensor.fromArray(new float[] {0}))));
        Tensor a = operand(rnd, d0, d1, broadcastA, transposeA);
        Tensor b = operand(rnd, d0, d1, 0, false);
        Tensor expected = tensor(CPU.where(nd(cond), nd(a.to(DType.FLOAT64)), nd(b.to(DType.FLOAT64)))).to(DType.FLOAT32);
        assertSameBits("where " + cond + " " + a + " " + b, expected, tensor(CPU.where(nd(cond), nd(a), nd(b))));
    }

    @Property(tries = 200)
    void compare_anyBroadcastAndLayout_isFloat64Comparison(@ForAll CompareOp op, @ForAll @IntRange(min = 1, max = 5) int d0,
                                                          @ForAll @IntRange(min = 1, max = 70) int d1,
                                                          @ForAll @IntRange(max = 7) int broadcastA,
                                                          @ForAll @IntRange(max = 7) int broadcastB,
                                                          @ForAll boolean transposeA, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor a = operand(rnd, d0, d1, broadcastA, transposeA);
        Tensor b = operand(rnd, d0, d1, broadcastB, false);
        Tensor expected = tensor(CPU.compare(op, nd(a.to(DType.FLOAT64)), nd(b.to(DType.FLOAT64))));
        Tensor actual = tensor(CPU.compare(op, nd(a), nd(b)));
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.toBooleanArray(), actual.toBooleanArray(), op + " " + a + " " + b);
    }

    @Property(tries = 200)
    void unary_anyLayout_isFloat64RoundedToFloat32(@ForAll UnaryOp op, @ForAll @IntRange(min = 1, max = 5) int d0,
                                                  @ForAll @IntRange(min = 1, max = 70) int d1,
                                                  @ForAll @IntRange(max = 7) int broadcast, @ForAll boolean transpose,
                                                  @ForAll long seed) {
        if (!Float32Loops.has(op)) {
            return;
        }
        Tensor x = operand(new Random(seed), d0, d1, broadcast, transpose);
        Tensor exact = tensor(CPU.unary(op, nd(x.to(DType.FLOAT64)))).to(DType.FLOAT32);
        Tensor actual = tensor(CPU.unary(op, nd(x)));
        if (!Float32Functions.has(op)) {
            assertSameBits(op + " " + x, exact, actual);
            return;
        }
        // erf, GELU, tanh and sigmoid: Float32Functions' bits on every layout, within its accuracy of the float64 values
        assertSameBits(op + " " + x, tensor(CPU.unary(op, nd(x.contiguous()))), actual);
        // SiLU in float32 lanes: the sigmoid's 2.5 units and the product's rounding; subnormal below -80
        double units = op == UnaryOp.SILU && CpuGemm.usesVectorApi() ? 3 : 2.5;
        float[] in = x.contiguous().toFloatArray();
        float[] e = exact.contiguous().toFloatArray();
        float[] a = actual.contiguous().toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (op == UnaryOp.GELU && in[i] < -5) {
                continue; // float64's x (1 + erf(x / sqrt 2)) / 2 cancels there; Float32FunctionsTest checks that tail
            }
            double u = Float32FunctionsTest.ulps(a[i], e[i]);
            assertTrue(Float.isNaN(e[i]) ? Float.isNaN(a[i]) : u <= units || in[i] < -80 && Math.abs(a[i] - e[i]) <= Float.MIN_NORMAL,
                    op + "(" + in[i] + "): " + a[i] + " against " + e[i]);
        }
    }

    @Property(tries = 100)
    void castAndCopyInto_fromFloat32OrBool_matchFloat64RouteAndWidening(@ForAll @IntRange(min = 1, max = 5) int d0,
                                                           @ForAll @IntRange(min = 1, max = 70) int d1,
                                                           @ForAll @IntRange(max = 7) int broadcast,
                                                           @ForAll boolean transpose, @ForAll long seed) {
        Tensor x = operand(new Random(seed), d0, d1, broadcast, transpose);
        Tensor mask = tensor(CPU.compare(CompareOp.GT, nd(x), nd(Tensor.fromArray(new float[] {0f}))));
        float[] xs = x.contiguous().toFloatArray();
        double[] widened = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            widened[i] = xs[i];
        }
        Tensor wideX = tensor(CPU.cast(nd(x), DType.FLOAT64));
        assertArrayEquals(x.shape(), wideX.shape());
        assertArrayEquals(widened, wideX.toDoubleArray(), "cast to float64 " + x);
        for (Tensor src : new Tensor[] {x, mask}) {
            Tensor expected = tensor(CPU.cast(CPU.cast(nd(src), DType.FLOAT64), DType.FLOAT32));
            assertSameBits("cast " + src, expected, tensor(CPU.cast(nd(src), DType.FLOAT32)));
            // into a transposed view and into a contiguous tensor, from src broadcast to (2, d0, d1, 3)
            Tensor wide = src.unsqueeze(-1).expand(2, d0, d1, 3);
            Tensor viaDouble = tensor(CPU.cast(CPU.cast(nd(wide), DType.FLOAT64), DType.FLOAT32));
            Tensor dst = Tensor.zeros(new int[] {2, d0, d1, 3}, DType.FLOAT32, Device.CPU);
            CPU.copyInto(nd(dst), nd(wide));
            assertSameBits("copyInto " + src, viaDouble, dst);
            Tensor dstT = Tensor.zeros(new int[] {2, d0, 3, d1}, DType.FLOAT32, Device.CPU).transpose(2, 3);
            CPU.copyInto(nd(dstT), nd(wide));
            assertSameBits("copyInto transposed " + src, viaDouble, dstT);
        }
    }

    /**
     * A (d0, d1) float32 operand: broadcast bit 1 makes dim 0 size 1, bit 2 dim 1, bit 4 a 0-d
     * scalar; transposed ones are stored (d1, d0). Half of them start past the front of their storage,
     * so runs of operands and output begin at different places in their arrays.
     */
    private static Tensor operand(Random rnd, int d0, int d1, int broadcast, boolean transposed) {
        if ((broadcast & 4) != 0) {
            return Tensor.fromArray(values(rnd, 1));
        }
        int r = (broadcast & 1) != 0 ? 1 : d0;
        int c = (broadcast & 2) != 0 ? 1 : d1;
        int skip = rnd.nextBoolean() ? 1 + rnd.nextInt(5) : 0;
        Tensor flat = Tensor.fromArray(values(rnd, skip + r * c), skip + r * c).narrow(0, skip, r * c);
        return transposed ? flat.view(c, r).t() : flat.view(r, c);
    }

    /** Mostly ordinary values, one in four special, some repeated so ties and equalities occur. */
    private static float[] values(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(8);
            v[i] = kind == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : kind == 1 ? rnd.nextInt(3) - 1
                    : (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
        }
        return v;
    }

    private static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertEquals(DType.FLOAT32, actual.dtype(), what);
        assertArrayEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.contiguous().toFloatArray();
        float[] a = actual.contiguous().toFloatArray();
        int[] eb = new int[e.length];
        int[] ab = new int[a.length];
        for (int i = 0; i < e.length; i++) {
            eb[i] = Float.floatToIntBits(e[i]);
            ab[i] = Float.floatToIntBits(a[i]);
        }
        assertArrayEquals(eb, ab, () -> what + ": expected " + Arrays.toString(e) + " but was " + Arrays.toString(a));
    }
}
