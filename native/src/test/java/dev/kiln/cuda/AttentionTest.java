package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.AttentionParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * attention.cu against the CPU backend: out, logsumexp and all three gradients, on every target,
 * float32 and float64, for every head-dim variant (E 8 -> 32, 33 -> 64, 64, 128), lengths that are
 * multiples of no tile, Lq != Lk both ways, causal, additive and bool masks broadcast over batch or
 * queries, fully masked rows and non-contiguous q, k, v.
 */
class AttentionTest {
    private enum MaskKind { NONE, ADDITIVE, BOOL }

    /** nb batch entries (batch * heads), q (nb, lq, e), k (nb, lk, e), v (nb, lk, ev). */
    private record Case(String name, int nb, int lq, int lk, int e, int ev, boolean causal, MaskKind mask) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Case[] CASES = {
        new Case("S=1", 2, 1, 1, 8, 8, false, MaskKind.NONE),
        new Case("Lq<Lk causal d8", 3, 37, 70, 8, 8, true, MaskKind.NONE),
        new Case("E=33 Ev=20 additive mask with a -inf row", 4, 70, 45, 33, 20, false, MaskKind.ADDITIVE),
        new Case("Lq>Lk causal d64 key-padding bool mask", 2, 70, 33, 64, 64, true, MaskKind.BOOL),
        new Case("E=128 Ev=96 causal additive", 2, 40, 70, 128, 96, true, MaskKind.ADDITIVE),
    };

    static Stream<Arguments> cases() {
        return Target.all().flatMap(t -> Stream.of(DType.FLOAT32, DType.FLOAT64)
                .flatMap(d -> Stream.of(CASES).map(c -> Arguments.of(t, d, c))));
    }

    /** Sums over up to 70 keys of float products, against the CPU's double accumulation. */
    private static Tolerance tolerance(DType t) {
        return t == DType.FLOAT64 ? Tolerances.BALANCED.of(t) : new Tolerance(1e-4, 2e-5);
    }

    /** A CPU base tensor and the view of it that a test uses; the same view is taken on the device. */
    private record Input(Tensor base, Function<Tensor, Tensor> view) {
        Tensor cpu() {
            return view.apply(base);
        }

        Tensor on(Device dev) {
            return view.apply(base.to(dev));
        }
    }

    private static Tensor normal(long seed, DType t, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, t, Device.CPU);
    }

    /** The case's mask (nb, lq, lk) as a broadcast view, or null. */
    private static Input mask(Case c, DType t) {
        switch (c.mask) {
            case ADDITIVE: {
                // (1, lq, lk) broadcast over the batch; row 5 (if any) hides every key
                double[] m = normal(7, DType.FLOAT64, c.lq * c.lk).toDoubleArray();
                for (int j = 0; j < c.lk && c.lq > 5; j++) {
                    m[5 * c.lk + j] = Double.NEGATIVE_INFINITY;
                }
                return new Input(Tensor.fromArray(m, 1, c.lq, c.lk).to(t), x -> x.expand(c.nb, c.lq, c.lk));
            }
            case BOOL: {
                // key padding (nb, 1, lk) broadcast over the queries: entry b hides its first b keys and
                // every third key, so under causality its first queries see no key at all
                boolean[] keep = new boolean[c.nb * c.lk];
                for (int b = 0; b < c.nb; b++) {
                    for (int j = 0; j < c.lk; j++) {
                        keep[b * c.lk + j] = j >= b + 1 && j % 3 != 1;
                    }
                }
                return new Input(Tensor.fromArray(keep, c.nb, 1, c.lk), x -> x.expand(c.nb, c.lq, c.lk));
            }
            default:
                return null;
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void forwardAndBackwardMatchTheCpu(Target target, DType dtype, Case c) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        // q as a transposed (lq, nb, e), k with its head dim strided (nb, e, lk), v a narrowed view
        Input q = new Input(normal(1, dtype, c.lq, c.nb, c.e), x -> x.transpose(0, 1));
        Input k = new Input(normal(2, dtype, c.nb, c.e, c.lk), x -> x.transpose(1, 2));
        Input v = new Input(normal(3, dtype, c.nb, c.lk + 3, c.ev), x -> x.narrow(1, 2, c.lk));
        Input m = mask(c, dtype);
        Input gOut = new Input(normal(4, dtype, c.nb, c.lq, c.ev), x -> x);
        if (c.lq > 1 && c.lk > 1) {
            assertFalse(q.cpu().isContiguous() || k.cpu().isContiguous() || v.cpu().isContiguous());
        }
        double scale = 1 / Math.sqrt(c.e);
        Tensor cpuMask = m == null ? null : m.cpu();
        Tensor devMask = m == null ? null : m.on(dev);

        Tensor[] want = tensors(cpu.attention(nd(q.cpu()), nd(k.cpu()), nd(v.cpu()), new AttentionSpec(nd(cpuMask), c.causal, scale)));
        Tensor[] got = tensors(gpu.attention(nd(q.on(dev)), nd(k.on(dev)), nd(v.on(dev)), new AttentionSpec(nd(devMask), c.causal, scale)));
        Tolerance tol = tolerance(dtype);
        tol.assertClose("out", want[0], got[0].to(Device.CPU));
        tol.assertClose("logsumexp", want[1], got[1].to(Device.CPU));

        Tensor[] wantGrads = tensors(cpu.attentionBackward(nd(gOut.cpu()), nd(q.cpu()), nd(k.cpu()), nd(v.cpu()), nd(want[0]), nd(want[1]),
                new AttentionSpec(nd(cpuMask), c.causal, scale)));
        Tensor[] gotGrads = tensors(gpu.attentionBackward(nd(gOut.on(dev)), nd(q.on(dev)), nd(k.on(dev)), nd(v.on(dev)), nd(got[0]),
                nd(got[1]),
                new AttentionSpec(nd(devMask), c.causal, scale)));
        String[] names = {"grad q", "grad k", "grad v"};
        for (int i = 0; i < 3; i++) {
            tol.assertClose(names[i], wantGrads[i], gotGrads[i].to(Device.CPU));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void headsTransposedFromBatchSeqHeadsDimThroughTheApi(Target target, DType dtype) {
        Device dev = target.use();
        // (B, S, H, D) = (2, 19, 2, 16) viewed as (B, H, S, D); a bool causal-like mask (S, S) broadcast
        // over batch and heads by the API; a grad_output with a fully masked row's worth of zeros.
        int b = 2;
        int s = 19;
        int h = 2;
        int d = 16;
        Input q = new Input(normal(11, dtype, b, s, h, d), x -> x.transpose(1, 2));
        Input k = new Input(normal(12, dtype, b, s, h, d), x -> x.transpose(1, 2));
        Input v = new Input(normal(13, dtype, b, s, h, d), x -> x.transpose(1, 2));
        boolean[] keep = new boolean[s * s];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
                keep[i * s + j] = i != 4 && (j + 2 * i) % 5 != 0;
            }
        }
        Input m = new Input(Tensor.fromArray(keep, s, s), x -> x);
        Tensor gOutCpu = normal(14, dtype, b, h, s, d);
        Tensor[] want = Functional.attentionForward(q.cpu(), k.cpu(), v.cpu(),
                new AttentionParams(m.cpu(), false, Double.NaN));
        Tensor[] got = Functional.attentionForward(q.on(dev), k.on(dev), v.on(dev),
                new AttentionParams(m.on(dev), false, Double.NaN));
        Tolerance tol = tolerance(dtype);
        tol.assertClose("out", want[0], got[0].to(Device.CPU));
        tol.assertClose("logsumexp", want[1], got[1].to(Device.CPU));
        assertTrue(Double.isInfinite(got[1].toDoubleArray()[4]), "row 4 sees no key: logsumexp -inf");
        Tensor[] wantGrads = Functional.attentionBackward(gOutCpu, q.cpu(), k.cpu(), v.cpu(), want[0], want[1],
                new AttentionParams(m.cpu(), false, Double.NaN));
        Tensor[] gotGrads = Functional.attentionBackward(gOutCpu.to(dev), q.on(dev), k.on(dev), v.on(dev), got[0], got[1],
                new AttentionParams(m.on(dev), false, Double.NaN));
        Tensor[] again = Functional.attentionBackward(gOutCpu.to(dev), q.on(dev), k.on(dev), v.on(dev), got[0], got[1],
                new AttentionParams(m.on(dev), false, Double.NaN));
        String[] names = {"grad q", "grad k", "grad v"};
        for (int i = 0; i < 3; i++) {
            tol.assertClose(names[i], wantGrads[i], gotGrads[i].to(Device.CPU));
            Tolerances.EXACT.assertClose(names[i] + " of a second run (no atomics: bit-identical)", gotGrads[i].to(Device.CPU),
                    again[i].to(Device.CPU));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void noKeysGiveZeroOutputMinusInfinityAndZeroGradients(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor q = normal(21, dtype, 2, 3, 8).to(dev);
        Tensor k = Tensor.zeros(new int[] {2, 0, 8}, dtype, dev);
        Tensor v = Tensor.zeros(new int[] {2, 0, 5}, dtype, dev);
        Tensor[] r = tensors(gpu.attention(nd(q), nd(k), nd(v), new AttentionSpec(nd(null), false, 1.0)));
        Tolerances.EXACT.assertClose("out", Tensor.zeros(new int[] {2, 3, 5}, dtype, Device.CPU), r[0].to(Device.CPU));
        Tolerances.EXACT.assertClose("logsumexp", Tensor.full(new int[] {2, 3}, Double.NEGATIVE_INFINITY, dtype, Device.CPU),
                r[1].to(Device.CPU));
        Tensor[] g = tensors(gpu.attentionBackward(nd(normal(22, dtype, 2, 3, 5).to(dev)), nd(q), nd(k), nd(v), nd(r[0]), nd(r[1]),
                new AttentionSpec(nd(null), false, 1.0)));
        Tolerances.EXACT.assertClose("grad q", Tensor.zeros(new int[] {2, 3, 8}, dtype, Device.CPU), g[0].to(Device.CPU));
        Tolerances.EXACT.assertClose("grad k", k.to(Device.CPU), g[1].to(Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void badInputsAreRefusedNamingTheOpAndShapes(Target target, DType dtype) {
        Device dev = target.use();
        Backend gpu = Backends.of(dev);
        Tensor wide = Tensor.zeros(new int[] {1, 3, 130}, dtype, dev);
        Tensor q = Tensor.zeros(new int[] {1, 3, 8}, dtype, dev);
        UnsupportedOperationException tooWide = assertThrows(UnsupportedOperationException.class,
                () -> tensors(gpu.attention(nd(wide), nd(wide), nd(q), new AttentionSpec(nd(null), false, 1.0))));
        assertTrue(tooWide.getMessage().startsWith("scaled_dot_product_attention: ")
                && tooWide.getMessage().contains("[1, 3, 130]"), tooWide.getMessage());
        Tensor mask = Tensor.zeros(new int[] {1, 3, 4}, DType.BOOL, dev);
        IllegalArgumentException badMask = assertThrows(IllegalArgumentException.class,
                () -> tensors(gpu.attention(nd(q), nd(q), nd(q), new AttentionSpec(nd(mask), false, 1.0))));
        assertTrue(badMask.getMessage().startsWith("scaled_dot_product_attention: attn_mask")
                && badMask.getMessage().contains("[1, 3, 3]") && badMask.getMessage().contains("[1, 3, 4]"),
                badMask.getMessage());
        Tensor[] r = tensors(gpu.attention(nd(q), nd(q), nd(q), new AttentionSpec(nd(null), false, 1.0)));
        IllegalArgumentException badLse = assertThrows(IllegalArgumentException.class,
                () -> tensors(gpu.attentionBackward(nd(r[0]), nd(q), nd(q), nd(q), nd(r[0]), nd(r[0]), new AttentionSpec(nd(null), false,
                        1.0))));
        assertTrue(badLse.getMessage().startsWith("scaled_dot_product_attention_backward: expected logsumexp"),
                badLse.getMessage());
    }
}
