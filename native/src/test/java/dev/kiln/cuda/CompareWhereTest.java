package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.CompareOp;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** compare.cu (every CompareOp, where) against the CPU backend: broadcasting, strided views, NaN. */
class CompareWhereTest {
    private static final Backend CPU = Backends.of(Device.CPU);

    static Stream<Target> targets() {
        return Target.all();
    }

    /** (a, b, c) values rounded to halves (many ties), with NaN, +-inf and -0 planted, on the CPU and dev. */
    private static Both values(long seed, DType dtype, Device dev, int a, int b, int c) {
        double[] v = Tensor.normal(new Generator(seed), 0, 2, new int[] {a * b * c}, DType.FLOAT64, Device.CPU)
                .toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.rint(v[i] * 2) / 2;
            switch (i % 11) {
                case 3: v[i] = Double.NaN; break;
                case 7: v[i] = i % 2 == 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY; break;
                case 9: v[i] = -0.0; break;
                default: break;
            }
        }
        return Both.of(Tensor.fromArray(v, a, b, c).to(dtype), dev);
    }

    private static void checkCompare(Backend gpu, CompareOp op, Both a, Both b, String what) {
        Tensor got = tensor(gpu.compare(op, nd(a.dev()), nd(b.dev())));
        Tensor want = tensor(CPU.compare(op, nd(a.cpu()), nd(b.cpu())));
        assertArrayEquals(want.shape(), got.shape(), what);
        assertArrayEquals(want.toBooleanArray(), got.toBooleanArray(), op + " " + what);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void everyComparisonBroadcastsStridedViewsWithNaN(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both a = values(1, dtype, dev, 7, 1, 37).view(x -> x.permute(2, 0, 1));            // (37, 7, 1) strided
        Both b = values(2, dtype, dev, 19, 1, 1).view(x -> x.permute(2, 1, 0).squeeze(0));  // (1, 19): (37, 7, 19)
        Both t = values(3, dtype, dev, 9, 5, 6).view(x -> x.transpose(0, 2));              // (6, 5, 9) strided
        Both row = values(4, dtype, dev, 1, 1, 18).view(x -> x.reshape(18).slice(0, 1, 18, 2));  // (9,) stride 2
        for (CompareOp op : CompareOp.values()) {
            checkCompare(gpu, op, a, b, "(37, 7, 1) vs (1, 19)");
            checkCompare(gpu, op, t, row, "(6, 5, 9) vs (9,)");
            checkCompare(gpu, op, t, t, "x vs itself (NaN vs NaN)");
        }
        assertTrue(tensor(gpu.compare(CompareOp.LT, nd(a.dev()), nd(b.dev()))).dtype() == DType.BOOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void int64AndBoolCompareExactly(Target target) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        long[] la = {Long.MIN_VALUE, -3, 0, 5, 1L << 40, Long.MAX_VALUE, 7, 7, -1, 2, 9, 4};
        long[] lb = {Long.MIN_VALUE + 1, -3, 1L << 40, Long.MAX_VALUE};
        Both a = Both.of(Tensor.fromArray(la, 4, 3), dev).view(Tensor::t);   // (3, 4) strided
        Both b = Both.of(Tensor.fromArray(lb, 4), dev);                       // (4,) broadcast
        for (CompareOp op : CompareOp.values()) {
            checkCompare(gpu, op, a, b, "int64");
        }
        Both p = Both.of(Tensor.fromArray(new boolean[] {true, false, true, false, false, true}, 3, 2), dev).view(Tensor::t);
        Both q = Both.of(Tensor.fromArray(new boolean[] {true, false}, 2, 1), dev);
        for (CompareOp op : new CompareOp[] {CompareOp.EQ, CompareOp.NE}) {
            checkCompare(gpu, op, p, q, "bool");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void whereBroadcastsAllThreeOperands(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both x = values(5, dtype, dev, 37, 7, 1);
        Tensor zero = Tensor.zeros(new int[0], dtype, Device.CPU);
        Tensor condCpu = tensor(CPU.compare(CompareOp.GT, nd(x.cpu()), nd(zero)));
        Both cond = Both.of(condCpu, dev).view(c -> c.permute(1, 0, 2));                   // (7, 37, 1) strided
        Both a = values(6, dtype, dev, 13, 37, 1).view(v -> v.squeeze(2).t());            // (37, 13) strided
        Both b = values(7, dtype, dev, 37, 1, 1).view(v -> v.squeeze(2));                  // (37, 1)
        Tensor want = tensor(CPU.where(nd(cond.cpu()), nd(a.cpu()), nd(b.cpu())));
        assertArrayEquals(new int[] {7, 37, 13}, want.shape());
        Tolerances.EXACT.assertClose("where (7, 37, 1) ? (37, 13) : (37, 1)", want,
                tensor(gpu.where(nd(cond.dev()), nd(a.dev()), nd(b.dev()))).to(Device.CPU));
        Both scalar = Both.of(Tensor.full(new int[0], -4, dtype, Device.CPU), dev);
        Tolerances.EXACT.assertClose("where with a 0-dim other", tensor(CPU.where(nd(cond.cpu()), nd(a.cpu()), nd(scalar.cpu()))),
                tensor(gpu.where(nd(cond.dev()), nd(a.dev()), nd(scalar.dev()))).to(Device.CPU));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void whereOfInt64AndBool(Target target) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Both cond = Both.of(Tensor.fromArray(new boolean[] {true, false, false, true, true, false}, 3, 2), dev)
                .view(Tensor::t);                                                                  // (2, 3) strided
        Both a = Both.of(Tensor.fromArray(new long[] {Long.MAX_VALUE, -2, 1L << 50}, 3), dev);
        Both b = Both.of(Tensor.fromArray(new long[] {Long.MIN_VALUE, 9}, 2, 1), dev);
        assertArrayEquals(tensor(CPU.where(nd(cond.cpu()), nd(a.cpu()), nd(b.cpu()))).toLongArray(),
                tensor(gpu.where(nd(cond.dev()), nd(a.dev()), nd(b.dev()))).toLongArray());
        Both p = Both.of(Tensor.fromArray(new boolean[] {true, true, false}, 3), dev);
        Both q = Both.of(Tensor.fromArray(new boolean[] {false}, 1), dev);
        assertArrayEquals(tensor(CPU.where(nd(cond.cpu()), nd(p.cpu()), nd(q.cpu()))).toBooleanArray(),
                tensor(gpu.where(nd(cond.dev()), nd(p.dev()), nd(q.dev()))).toBooleanArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void badOperandsNameTheOpTheArgumentAndTheShapes(Target target) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor f = Tensor.zeros(new int[] {2, 3}, DType.FLOAT32, dev);
        Tensor d = Tensor.zeros(new int[] {3}, DType.FLOAT64, dev);
        String m = assertThrows(IllegalArgumentException.class, () -> tensor(gpu.compare(CompareOp.LT, nd(f), nd(d)))).getMessage();
        assertTrue(m.startsWith("lt: ") && m.contains("float64") && m.contains("[2, 3]") && m.contains("[3]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> tensor(gpu.where(nd(f), nd(f), nd(f)))).getMessage();
        assertTrue(m.startsWith("where: condition") && m.contains("[2, 3]"), m);
        Tensor c = Tensor.zeros(new int[] {4}, DType.BOOL, dev);
        m = assertThrows(IllegalArgumentException.class, () -> tensor(gpu.where(nd(c), nd(f), nd(f)))).getMessage();
        assertTrue(m.startsWith("where") && m.contains("[4]") && m.contains("[2, 3]"), m);
    }
}
