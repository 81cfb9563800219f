package dev.kiln.cpu;

import static dev.kiln.cpu.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.AttentionParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scaled-dot-product attention forward and backward through Functional, against a naive double
 * implementation that builds the whole score matrix, finite differences and PyTorch values.
 */
class CpuAttentionTest {
    /** float64, same math in another summation order: the kit's balanced level. */
    private static final Tolerance FLOAT64 = Tolerances.BALANCED.of(DType.FLOAT64);
    /** float64 finite differences. */
    private static final Tolerance FINITE_DIFFERENCES = new Tolerance(1e-6, 1e-7);
    /** float32 scores and products. */
    private static final Tolerance FLOAT32_PRODUCTS = new Tolerance(1e-4, 1e-5);

    private static Tolerance tolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? FLOAT64 : FLOAT32_PRODUCTS;
    }

    enum MaskKind { NONE, BOOL, FLOAT }

    /** q (B, Lq, E), k (B, Lk, E), v (B, Lk, Ev), a mask kind and causality. */
    private record Case(int b, int lq, int lk, int e, int ev, boolean causal, MaskKind mask) {
        @Override
        public String toString() {
            return "B" + b + " Lq" + lq + " Lk" + lk + " E" + e + " Ev" + ev + (causal ? " causal" : "") + " mask " + mask;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(2, 5, 7, 4, 3, false, MaskKind.NONE), // Lq < Lk, E != Ev
                new Case(2, 7, 5, 3, 6, true, MaskKind.NONE), // causal with Lq > Lk
                new Case(1, 1, 1, 2, 2, false, MaskKind.NONE), // sequence length 1
                new Case(3, 1, 9, 5, 2, true, MaskKind.BOOL),
                new Case(2, 6, 6, 4, 4, true, MaskKind.FLOAT),
                new Case(2, 4, 8, 3, 5, false, MaskKind.BOOL),
                new Case(2, 130, 300, 8, 5, false, MaskKind.FLOAT), // several query blocks and key tiles
                new Case(2, 40, 300, 6, 5, false, MaskKind.BOOL), // one query block, several key tiles: the one-pass backward
                new Case(2, 64, 64, 32, 32, true, MaskKind.NONE), // a small transformer's heads, causal
                new Case(1, 150, 140, 3, 7, true, MaskKind.BOOL));
    }

    private static Tensor random(long seed, int[] shape, DType dtype) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, dtype, Device.CPU);
    }

    /** (B, L, D) as a non-contiguous view: a (B, D, L) tensor transposed. */
    private static Tensor transposedView(long seed, int b, int l, int d, DType dtype) {
        return random(seed, new int[] {b, d, l}, dtype).transpose(1, 2);
    }

    /**
     * A (Lq, Lk) mask that the API broadcasts over the batch (a stride-0 view). BOOL: a scattered pattern
     * in which query 0 sees no key (a fully masked row); FLOAT: additive normal values with some -inf.
     */
    private static Tensor mask(Case c, DType dtype) {
        switch (c.mask()) {
            case BOOL: {
                boolean[] m = new boolean[c.lq() * c.lk()];
                for (int i = 0; i < c.lq(); i++) {
                    for (int j = 0; j < c.lk(); j++) {
                        m[i * c.lk() + j] = i != 0 && (i + 2 * j) % 5 != 0; // row 0: fully masked
                    }
                }
                return Tensor.fromArray(m, c.lq(), c.lk());
            }
            case FLOAT: {
                Tensor m = random(99, new int[] {c.lq(), c.lk()}, DType.FLOAT64);
                double[] a = m.toDoubleArray();
                for (int i = 0; i < a.length; i += 3) {
                    a[i] = Double.NEGATIVE_INFINITY;
                }
                return Tensor.fromArray(a, c.lq(), c.lk()).to(dtype);
            }
            default:
                return null;
        }
    }

    /** The mask as an additive (B, Lq, Lk) array: false -> -inf, true -> 0. */
    private static double[] additive(Tensor mask, Case c) {
        if (mask == null) {
            return null;
        }
        Tensor full = mask.expand(c.b(), c.lq(), c.lk());
        if (mask.dtype() == DType.BOOL) {
            boolean[] keep = full.toBooleanArray();
            double[] a = new double[keep.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = keep[i] ? 0 : Double.NEGATIVE_INFINITY;
            }
            return a;
        }
        return full.toDoubleArray();
    }

    /** Returns {out, lse, gq, gk, gv} from the whole (Lq, Lk) probability matrix and the softmax Jacobian. */
    private static double[][] naive(double[] q, double[] k, double[] v, double[] bias, Case c, double scale,
                                    double[] gOut) {
        int lq = c.lq();
        int lk = c.lk();
        int e = c.e();
        int ev = c.ev();
        double[] out = new double[c.b() * lq * ev];
        double[] lse = new double[c.b() * lq];
        double[] gq = new double[c.b() * lq * e];
        double[] gk = new double[c.b() * lk * e];
        double[] gv = new double[c.b() * lk * ev];
        for (int b = 0; b < c.b(); b++) {
            for (int i = 0; i < lq; i++) {
                double[] s = new double[lk];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < lk; j++) {
                    double dot = 0;
                    for (int x = 0; x < e; x++) {
                        dot += q[(b * lq + i) * e + x] * k[(b * lk + j) * e + x];
                    }
                    s[j] = scale * dot + (bias == null ? 0 : bias[(b * lq + i) * lk + j]);
                    if (c.causal() && j > i) {
                        s[j] = Double.NEGATIVE_INFINITY;
                    }
                    max = Math.max(max, s[j]);
                }
                int row = b * lq + i;
                if (max == Double.NEGATIVE_INFINITY) {
                    lse[row] = Double.NEGATIVE_INFINITY; // fully masked: out and gradients stay 0
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < lk; j++) {
                    sum += Math.exp(s[j] - max);
                }
                lse[row] = max + Math.log(sum);
                double[] p = new double[lk];
                double[] dp = new double[lk];
                double pdp = 0;
                for (int j = 0; j < lk; j++) {
                    p[j] = Math.exp(s[j] - max) / sum;
                    for (int x = 0; x < ev; x++) {
                        out[row * ev + x] += p[j] * v[(b * lk + j) * ev + x];
                        dp[j] += gOut[row * ev + x] * v[(b * lk + j) * ev + x];
                    }
                    pdp += p[j] * dp[j];
                }
                for (int j = 0; j < lk; j++) {
                    double ds = p[j] * (dp[j] - pdp);
                    for (int x = 0; x < e; x++) {
                        gq[row * e + x] += scale * ds * k[(b * lk + j) * e + x];
                        gk[(b * lk + j) * e + x] += scale * ds * q[row * e + x];
                    }
                    for (int x = 0; x < ev; x++) {
                        gv[(b * lk + j) * ev + x] += p[j] * gOut[row * ev + x];
                    }
                }
            }
        }
        return new double[][] {out, lse, gq, gk, gv};
    }

    private static double scaleOf(Case c) {
        return 1.0 / Math.sqrt(c.e()) * 1.3; // not the default, so the scale argument is really used
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void attention_forwardAndBackward_contiguousAndTransposedViews_matchNaive(Case c) {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Tolerance tol = tolerance(dtype);
            Tensor m = mask(c, dtype);
            Tensor[][] inputs = {
                {random(1, new int[] {c.b(), c.lq(), c.e()}, dtype), random(2, new int[] {c.b(), c.lk(), c.e()}, dtype),
                    random(3, new int[] {c.b(), c.lk(), c.ev()}, dtype)},
                {transposedView(4, c.b(), c.lq(), c.e(), dtype), transposedView(5, c.b(), c.lk(), c.e(), dtype),
                    transposedView(6, c.b(), c.lk(), c.ev(), dtype)}};
            for (Tensor[] in : inputs) {
                Tensor gOut = transposedView(7, c.b(), c.lq(), c.ev(), dtype);
                double[][] ref = naive(in[0].toDoubleArray(), in[1].toDoubleArray(), in[2].toDoubleArray(), additive(m, c), c,
                        scaleOf(c), gOut.toDoubleArray());
                Tensor[] r = Functional.attentionForward(in[0], in[1], in[2],
                        new AttentionParams(m, c.causal(), scaleOf(c)));
                assertArrayEquals(new int[] {c.b(), c.lq(), c.ev()}, r[0].shape());
                assertArrayEquals(new int[] {c.b(), c.lq()}, r[1].shape());
                assertEquals(dtype, r[1].dtype());
                assertClose(dtype + " out", ref[0], r[0].toDoubleArray(), tol.rtol(), tol.atol());
                assertClose(dtype + " logsumexp", ref[1], r[1].toDoubleArray(), tol.rtol(), tol.atol());
                Tensor[] g = Functional.attentionBackward(gOut, in[0], in[1], in[2], r[0], r[1],
                        new AttentionParams(m, c.causal(), scaleOf(c)));
                assertClose(dtype + " gq", ref[2], g[0].toDoubleArray(), tol.rtol(), tol.atol());
                assertClose(dtype + " gk", ref[3], g[1].toDoubleArray(), tol.rtol(), tol.atol());
                assertClose(dtype + " gv", ref[4], g[2].toDoubleArray(), tol.rtol(), tol.atol());
            }
        }
    }

    /** Shapes small enough for finite differences (the large ones are checked against the naive backward). */
    static Stream<Case> smallCases() {
        return cases().filter(c -> c.lq() * c.lk() <= 100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallCases")
    void attentionBackward_float64_matchesFiniteDifferences(Case c) {
        DType dtype = DType.FLOAT64;
        Tensor m = mask(c, dtype);
        double scale = scaleOf(c);
        int[][] shapes = {{c.b(), c.lq(), c.e()}, {c.b(), c.lk(), c.e()}, {c.b(), c.lk(), c.ev()}};
        double[][] x = {random(11, shapes[0], dtype).toDoubleArray(), random(12, shapes[1], dtype).toDoubleArray(),
            random(13, shapes[2], dtype).toDoubleArray()};
        double[] w = random(14, new int[] {c.b(), c.lq(), c.ev()}, dtype).toDoubleArray();
        Tensor[] t = {Tensor.fromArray(x[0], shapes[0]), Tensor.fromArray(x[1], shapes[1]), Tensor.fromArray(x[2], shapes[2])};
        Tensor[] r = Functional.attentionForward(t[0], t[1], t[2], new AttentionParams(m, c.causal(), scale));
        Tensor[] g = Functional.attentionBackward(Tensor.fromArray(w, c.b(), c.lq(), c.ev()), t[0], t[1], t[2], r[0], r[1],
                new AttentionParams(m, c.causal(), scale));
        String[] names = {"gq", "gk", "gv"};
        for (int a = 0; a < 3; a++) {
            int arg = a;
            double[] numeric = NumericGrad.of(val -> {
                Tensor[] in = t.clone();
                in[arg] = Tensor.fromArray(val, shapes[arg]);
                return NumericGrad.dot(Functional.attentionForward(in[0], in[1], in[2],
                        new AttentionParams(m, c.causal(), scale))[0]
                        .toDoubleArray(), w);
            }, x[a], 1e-6);
            assertClose(names[a], numeric, g[a].toDoubleArray(), FINITE_DIFFERENCES.rtol(), FINITE_DIFFERENCES.atol());
        }
    }

    @Test
    void attention_fullyMaskedRows_giveZeroOutputNegativeInfinityLseAndZeroGradients() {
        // query 1 sees no key: softmax over an empty set is defined here as output 0 (PyTorch 1.13's math path gives NaN)
        Tensor q = random(20, new int[] {1, 3, 4}, DType.FLOAT64);
        Tensor k = random(21, new int[] {1, 5, 4}, DType.FLOAT64);
        Tensor v = random(22, new int[] {1, 5, 2}, DType.FLOAT64);
        boolean[] keep = new boolean[15];
        Arrays.fill(keep, true);
        Arrays.fill(keep, 5, 10, false);
        Tensor m = Tensor.fromArray(keep, 3, 5);
        Tensor[] r = Functional.attentionForward(q, k, v, new AttentionParams(m, false, 0.5));
        double[] out = r[0].toDoubleArray();
        assertArrayEquals(new double[] {0, 0}, new double[] {out[2], out[3]});
        assertEquals(Double.NEGATIVE_INFINITY, r[1].toDoubleArray()[1]);
        Tensor gOut = Tensor.ones(new int[] {1, 3, 2}, DType.FLOAT64, Device.CPU);
        Tensor[] g = Functional.attentionBackward(gOut, q, k, v, r[0], r[1], new AttentionParams(m, false, 0.5));
        double[] gq = g[0].toDoubleArray();
        assertArrayEquals(new double[4], Arrays.copyOfRange(gq, 4, 8), "gq of the masked query");
        // with every row masked (here: no keys at all) nothing flows to k and v either
        Tensor none = Tensor.zeros(new int[] {1, 3, 5}, DType.BOOL, Device.CPU);
        Tensor[] r0 = Functional.attentionForward(q, k, v, new AttentionParams(none, false, 0.5));
        assertArrayEquals(new double[6], r0[0].toDoubleArray());
        Tensor[] g0 = Functional.attentionBackward(gOut, q, k, v, r0[0], r0[1], new AttentionParams(none, false, 0.5));
        assertArrayEquals(new double[20], g0[1].toDoubleArray(), "gk");
        assertArrayEquals(new double[10], g0[2].toDoubleArray(), "gv");
    }

    @Test
    void attention_smallCase_matchesPyTorch() {
        // /usr/bin/python3 -c "import torch; q=torch.tensor([[[1.,0,2],[0.5,-1,1]]],dtype=torch.float64);
        //   k=torch.tensor([[[1.,1,0],[0,2,1],[-1,0,1]]],dtype=torch.float64); v=torch.tensor([[[1.,2],[3,-1],[0,5]]],dtype=torch.float64);
        //   s=q@k.transpose(1,2)*0.5; print((torch.softmax(s,-1)@v).flatten().tolist(), torch.logsumexp(s,-1).flatten().tolist());
        //   s2=s.masked_fill(~torch.ones(2,3,dtype=torch.bool).tril(),float('-inf'));
        //   print((torch.softmax(s2,-1)@v).flatten().tolist(), torch.logsumexp(s2,-1).flatten().tolist())"
        // Causal row 0 sees key 0 only: out = v[0] = (1, 2), logsumexp = 0.5 * q[0].k[0] = 0.5.
        Tensor q = Tensor.fromArray(new double[] {1, 0, 2, 0.5, -1, 1}, 1, 2, 3);
        Tensor k = Tensor.fromArray(new double[] {1, 1, 0, 0, 2, 1, -1, 0, 1}, 1, 3, 3);
        Tensor v = Tensor.fromArray(new double[] {1, 2, 3, -1, 0, 5}, 1, 3, 2);
        Tensor[] r = Functional.attentionForward(q, k, v, new AttentionParams(null, false, 0.5));
        assertClose("out", new double[] {1.629656904694015, 1.466617571550773, 0.9734152827821916, 2.7614134707067675},
                r[0].toDoubleArray(), FLOAT64.rtol(), FLOAT64.atol());
        assertClose("lse", new double[] {1.7943767694176431, 0.9818375667944002}, r[1].toDoubleArray(),
                FLOAT64.rtol(), FLOAT64.atol());
        Tensor[] rc = Functional.attentionForward(q.to(DType.FLOAT32), k.to(DType.FLOAT32), v.to(DType.FLOAT32),
                new AttentionParams(null, true, 0.5));
        assertClose("causal out", new double[] {1.0, 2.0, 1.8756469982284036, 0.6865295026573943}, rc[0].toDoubleArray(),
                FLOAT32_PRODUCTS.rtol(), FLOAT32_PRODUCTS.atol());
        assertClose("causal lse", new double[] {0.5, 0.3259394198788437}, rc[1].toDoubleArray(),
                FLOAT32_PRODUCTS.rtol(), FLOAT32_PRODUCTS.atol());
    }

    @Test
    void scaledDotProductAttention_fourDimensional_defaultScale_broadcastMask_matchesFlattenedNaive() {
        // q (2, 3, 5, 4): batch dims (2, 3) flatten to B = 6; mask (5, 6) broadcasts to every batch entry
        Case c = new Case(6, 5, 6, 4, 3, false, MaskKind.FLOAT);
        Tensor q = random(30, new int[] {2, 3, 5, 4}, DType.FLOAT64);
        Tensor k = random(31, new int[] {2, 3, 6, 4}, DType.FLOAT64);
        Tensor v = random(32, new int[] {2, 3, 6, 3}, DType.FLOAT64);
        Tensor m = mask(c, DType.FLOAT64);
        Tensor y = Functional.scaledDotProductAttention(q, k, v, m, false, Double.NaN); // NaN: 1 / sqrt(E) = 0.5
        assertArrayEquals(new int[] {2, 3, 5, 3}, y.shape());
        double[][] ref = naive(q.toDoubleArray(), k.toDoubleArray(), v.toDoubleArray(), additive(m, c), c, 0.5,
                new double[6 * 5 * 3]);
        assertClose("out", ref[0], y.toDoubleArray(), FLOAT64.rtol(), FLOAT64.atol());
    }

    @Test
    void scaledDotProductAttention_mismatchedShapes_namesTheShapes() {
        Tensor q = Tensor.zeros(2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, Tensor.zeros(2, 5, 3), Tensor.zeros(2, 5, 3), null, false, 1));
        assertTrue(e.getMessage().contains("[2, 5, 3]"), e.getMessage());
    }
}
