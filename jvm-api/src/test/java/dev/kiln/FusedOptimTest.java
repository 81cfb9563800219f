package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.TensorAssert;
import dev.kiln.testing.Tolerances;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU's fused optimizer steps against the unfused formulas (torch.optim's, written with tensor
 * ops in float64) over several steps, on tensors of several chunks (so the steps run in parallel),
 * and the argument checks.
 */
class FusedOptimTest {
    private static final int[] SHAPE = {3, 5003};
    private static final int STEPS = 3;

    private static Tensor normal(long seed, DType dtype) {
        return Tensor.normal(new Generator(seed), 0, 1, SHAPE, dtype, Device.CPU);
    }

    /** Fused float32 state is rounded after every step; float64 differs from the formula by operation order only. */
    private static Tolerances.Tolerance tolerance(DType dtype) {
        return Tolerances.BALANCED.of(dtype);
    }

    static Stream<Arguments> sgdCases() {
        SgdParams[] cases = {
            new SgdParams(0.1, 0, 0, 0, false, false),
            new SgdParams(0.05, 0.9, 0.1, 0.01, false, false),
            new SgdParams(0.05, 0.9, 0, 0.01, true, false),
        };
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> Stream.of(cases).map(c -> Arguments.of(c, d)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sgdCases")
    void sgd_matchesTheUnfusedFormula(SgdParams hp, DType dtype) {
        Tensor p = normal(1, dtype);
        Tensor buf = hp.momentum() != 0 ? Tensor.zerosLike(p) : null;
        Tensor refP = p.to(DType.FLOAT64).clone();  // to() of a float64 tensor is the tensor itself
        Tensor refBuf = null;
        for (int s = 0; s < STEPS; s++) {
            Tensor g = normal(10 + s, dtype);
            SgdParams step = new SgdParams(hp.lr(), hp.momentum(), hp.dampening(), hp.weightDecay(), hp.nesterov(), s == 0);
            FusedOptim.sgd_(p, g, buf, step);
            // torch.optim.SGD, unfused
            Tensor d = g.to(DType.FLOAT64).add(refP.mul(hp.weightDecay()));
            if (hp.momentum() != 0) {
                refBuf = refBuf == null ? d : refBuf.mul(hp.momentum()).add(d.mul(1 - hp.dampening()));
                d = hp.nesterov() ? d.add(refBuf.mul(hp.momentum())) : refBuf;
                TensorAssert.assertClose("momentum buffer after step " + (s + 1), refBuf, buf.to(DType.FLOAT64), tolerance(dtype));
            }
            refP = refP.sub(d.mul(hp.lr()));
            TensorAssert.assertClose("param after step " + (s + 1), refP, p.to(DType.FLOAT64), tolerance(dtype));
        }
    }

    static Stream<Arguments> adamCases() {
        Object[][] cases = {
            {"adam", new AdamParams(0.01, 0.9, 0.999, 1e-8, 0, false, 1), false},
            {"adam l2 amsgrad", new AdamParams(0.01, 0.8, 0.99, 1e-6, 0.1, false, 1), true},
            {"adamw", new AdamParams(0.01, 0.9, 0.999, 1e-8, 0.1, true, 1), false},
            {"adamw amsgrad", new AdamParams(0.02, 0.5, 0.9, 1e-3, 0.05, true, 1), true},
        };
        return Stream.of(DType.FLOAT32, DType.FLOAT64).flatMap(d -> Stream.of(cases).map(c -> Arguments.of(c[0], c[1], c[2], d)));
    }

    @ParameterizedTest(name = "{0} {3}")
    @MethodSource("adamCases")
    void adam_matchesTheUnfusedFormula(String name, AdamParams hp, boolean amsgrad, DType dtype) {
        Tensor p = normal(2, dtype);
        Tensor m = Tensor.zerosLike(p);
        Tensor v = Tensor.zerosLike(p);
        Tensor vmax = amsgrad ? Tensor.zerosLike(p) : null;
        Tensor refP = p.to(DType.FLOAT64).clone();  // to() of a float64 tensor is the tensor itself
        Tensor refM = Tensor.zerosLike(refP);
        Tensor refV = Tensor.zerosLike(refP);
        Tensor refVmax = Tensor.zerosLike(refP);
        for (int t = 1; t <= STEPS; t++) {
            Tensor g = normal(20 + t, dtype);
            FusedOptim.adam_(p, g, m, v, vmax,
                    new AdamParams(hp.lr(), hp.beta1(), hp.beta2(), hp.eps(), hp.weightDecay(), hp.decoupled(), t));
            // torch.optim.Adam / AdamW, unfused
            Tensor g64 = g.to(DType.FLOAT64);
            if (hp.decoupled()) {
                refP = refP.mul(1 - hp.lr() * hp.weightDecay());
            } else {
                g64 = g64.add(refP.mul(hp.weightDecay()));
            }
            refM = refM.mul(hp.beta1()).add(g64.mul(1 - hp.beta1()));
            refV = refV.mul(hp.beta2()).add(g64.square().mul(1 - hp.beta2()));
            Tensor denomOf = refV;
            if (amsgrad) {
                refVmax = refVmax.maximum(refV);
                denomOf = refVmax;
                TensorAssert.assertClose(name + " max_exp_avg_sq after step " + t, refVmax, vmax.to(DType.FLOAT64), tolerance(dtype));
            }
            Tensor denom = denomOf.sqrt().div(Math.sqrt(1 - Math.pow(hp.beta2(), t))).add(hp.eps());
            refP = refP.sub(refM.div(denom).mul(hp.lr() / (1 - Math.pow(hp.beta1(), t))));
            TensorAssert.assertClose(name + " exp_avg after step " + t, refM, m.to(DType.FLOAT64), tolerance(dtype));
            TensorAssert.assertClose(name + " exp_avg_sq after step " + t, refV, v.to(DType.FLOAT64), tolerance(dtype));
            TensorAssert.assertClose(name + " param after step " + t, refP, p.to(DType.FLOAT64), tolerance(dtype));
        }
    }

    @Test
    void stridedGrad_isReadThroughItsStrides() {
        Tensor g = Tensor.normal(new Generator(3), 0, 1, new int[] {SHAPE[1], SHAPE[0]}, DType.FLOAT64, Device.CPU).t();
        Tensor a = normal(4, DType.FLOAT64);
        Tensor b = a.clone();
        AdamParams hp = new AdamParams(0.01, 0.9, 0.999, 1e-8, 0.1, false, 1);
        FusedOptim.adam_(a, g, Tensor.zerosLike(a), Tensor.zerosLike(a), null, hp);
        FusedOptim.adam_(b, g.contiguous(), Tensor.zerosLike(b), Tensor.zerosLike(b), null, hp);
        TensorAssert.assertExact("param stepped with a transposed grad", b, a);
    }

    /**
     * float32 tensors at one storage offset step in float32 loops, others (a param viewed at an offset) through double
     * scratch: both give the unfused formula's values, so the two paths agree within float32's tolerance.
     */
    @ParameterizedTest(name = "amsgrad {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void float32AtAnOffset_stepsAsAtOffsetZero(boolean amsgrad) {
        Tensor whole = normal(7, DType.FLOAT32).reshape(-1);
        Tensor viewed = whole.narrow(0, 5, 2 * SHAPE[1]); // storage offset 5; grad and state at 0
        Tensor own = viewed.clone();
        Tensor g = normal(8, DType.FLOAT32).reshape(-1).narrow(0, 0, 2 * SHAPE[1]).contiguous();
        Tensor[] state = new Tensor[6];
        for (int i = 0; i < state.length; i++) {
            state[i] = Tensor.zerosLike(own);
        }
        for (int t = 1; t <= STEPS; t++) {
            AdamParams hp = new AdamParams(0.01, 0.9, 0.999, 1e-8, 0.1, false, t);
            FusedOptim.adam_(viewed, g, state[0], state[1], amsgrad ? state[2] : null, hp);
            FusedOptim.adam_(own, g, state[3], state[4], amsgrad ? state[5] : null, hp);
        }
        TensorAssert.assertClose("param viewed at offset 5", own, viewed, tolerance(DType.FLOAT32));
        Tensor sgdViewed = whole.narrow(0, 3, 2 * SHAPE[1]);
        Tensor sgdOwn = sgdViewed.clone();
        Tensor buf = Tensor.zerosLike(sgdOwn);
        Tensor ownBuf = Tensor.zerosLike(sgdOwn);
        for (int s = 0; s < STEPS; s++) {
            SgdParams hp = new SgdParams(0.05, 0.9, 0, 0.01, true, s == 0);
            FusedOptim.sgd_(sgdViewed, g, buf, hp);
            FusedOptim.sgd_(sgdOwn, g, ownBuf, hp);
        }
        TensorAssert.assertClose("sgd param viewed at offset 3", sgdOwn, sgdViewed, tolerance(DType.FLOAT32));
    }

    /** NaN, infinities, signed zeros and subnormals come out of the float32 loops as out of the float64 step. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("adamCases")
    void float32SpecialValues_propagateAsInFloat64(String name, AdamParams hp, boolean amsgrad) {
        float[] values = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, 1f, -1e10f};
        int n = values.length;
        float[] w = new float[n * n];
        float[] g = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] = values[i];
                g[i * n + j] = values[j];
            }
        }
        Tensor[] results = new Tensor[2];
        DType[] dtypes = {DType.FLOAT32, DType.FLOAT64};
        for (int k = 0; k < 2; k++) {
            Tensor p = Tensor.of(w).reshape(n, n).to(dtypes[k]).clone();
            Tensor grad = Tensor.of(g).reshape(n, n).to(dtypes[k]);
            FusedOptim.adam_(p, grad, Tensor.zerosLike(p), Tensor.zerosLike(p), amsgrad ? Tensor.zerosLike(p) : null, hp);
            FusedOptim.sgd_(p, grad, Tensor.zerosLike(p), new SgdParams(0.1, 0.9, 0, hp.weightDecay(), false, false));
            results[k] = p.to(DType.FLOAT64);
        }
        TensorAssert.assertClose(name + ": float32 against float64", results[1], results[0], tolerance(DType.FLOAT32));
    }

    @Test
    void steps_bumpTheVersionsOfWhatTheyWrite() {
        Tensor p = normal(5, DType.FLOAT32);
        Tensor g = normal(6, DType.FLOAT32);
        Tensor buf = Tensor.zerosLike(p);
        int pv = p.storage().version();
        int bv = buf.storage().version();
        int gv = g.storage().version();
        FusedOptim.sgd_(p, g, buf, new SgdParams(0.1, 0.9, 0, 0, false, true));
        assertEquals(pv + 1, p.storage().version());
        assertEquals(bv + 1, buf.storage().version());
        assertEquals(gv, g.storage().version());
    }

    @Test
    void emptyParam_isAStepThatDoesNothing() {
        Tensor p = Tensor.zeros(0, 3);
        FusedOptim.adam_(p, Tensor.zeros(0, 3), Tensor.zeros(0, 3), Tensor.zeros(0, 3), Tensor.zeros(0, 3),
                new AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 1));
        assertEquals(0, p.numel());
    }

    private static void assertRejected(String expected, Runnable step) {
        RuntimeException e = assertThrows(RuntimeException.class, step::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badArguments_areRejectedNamingTheArgumentAndShapes() {
        Tensor p = Tensor.zeros(4, 6);
        Tensor g = Tensor.zeros(4, 6);
        SgdParams plain = new SgdParams(0.1, 0, 0, 0, false, false);
        SgdParams momentum = new SgdParams(0.1, 0.9, 0, 0, false, false);
        AdamParams adam = new AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 1);
        assertRejected("grad of shape [6, 4] does not match param of shape [4, 6]",
                () -> FusedOptim.sgd_(p, Tensor.zeros(6, 4), null, plain));
        assertRejected("momentum buffer is needed exactly when momentum is non-zero", () -> FusedOptim.sgd_(p, g, null, momentum));
        assertRejected("momentum buffer is needed exactly when momentum is non-zero",
                () -> FusedOptim.sgd_(p, g, Tensor.zeros(4, 6), plain));
        assertRejected("param (shape [6, 4], strides [1, 6]) must be contiguous",
                () -> FusedOptim.sgd_(Tensor.zeros(4, 6).t(), g.t(), null, plain));
        assertRejected("but exp_avg_sq is",
                () -> FusedOptim.adam_(p, g, Tensor.zeros(4, 6), Tensor.zeros(new int[] {4, 6}, DType.FLOAT64, Device.CPU), null, adam));
        assertRejected("exp_avg and exp_avg_sq share storage", () -> {
            Tensor m = Tensor.zeros(4, 6);
            FusedOptim.adam_(p, g, m, m.view(4, 6), null, adam);
        });
        assertRejected("param and grad share storage", () -> FusedOptim.sgd_(p, p, null, plain));
        assertRejected("param must be float32 or float64", () -> FusedOptim.sgd_(Tensor.arange(3), Tensor.arange(3), null, plain));
        assertRejected("nesterov momentum requires a momentum and zero dampening", () -> new SgdParams(0.1, 0.9, 0.5, 0, true, false));
        assertRejected("betas must be in [0, 1)", () -> new AdamParams(0.1, 1.0, 0.999, 1e-8, 0, false, 1));
        assertRejected("step must be >= 1", () -> new AdamParams(0.1, 0.9, 0.999, 1e-8, 0, false, 0));
    }
}
