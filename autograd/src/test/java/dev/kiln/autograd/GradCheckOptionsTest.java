package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** gradcheck's options: fast mode, forward mode, reentrancy; each must pass a right rule and catch a wrong one. */
class GradCheckOptionsTest {
    private static Tensor f64(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64).requiresGrad_(true);
    }

    private static Tensor[] tanhMatmul(Tensor[] a) {
        return new Tensor[] {a[0].matmul(a[1]).tanh(), a[0].sum()};
    }

    @Test
    void fastModePassesAndCatchesAWrongBackward() {
        Tensor[] in = {f64(1, 3, 4), f64(2, 4, 2)};
        GradCheckOptions fast = GradCheckOptions.DEFAULTS.withFastMode(true);
        GradCheck.Report r = GradCheck.check(GradCheckOptionsTest::tanhMatmul, in, fast);
        assertTrue(r.passed(), r.toString());
        assertEquals("fast", r.worst().get(0).check());
        GradCheck.Report wrong = GradCheck.check(a -> new FunctionTest.WrongSquare().apply(a), new Tensor[] {f64(3, 6)}, fast);
        assertFalse(wrong.passed(), wrong.toString());
        assertTrue(wrong.toString().contains("fast: u^T J v"), wrong.toString());
    }

    @Test
    void forwardModeIsCheckedAgainstTheSameNumericalJacobian() {
        Tensor[] in = {f64(4, 2, 3), f64(5, 3, 2)};
        GradCheck.assertGradcheck(GradCheckOptionsTest::tanhMatmul, in, GradCheckOptions.DEFAULTS.withForwardAd(true));
        // a custom function whose jvp is wrong (its backward is right): only the forward check sees it
        Function badJvp = new Function() {
            @Override
            protected Tensor[] forward(FunctionContext ctx, Tensor... x) {
                return new Tensor[] {x[0].mul(3)};
            }

            @Override
            protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
                return new Tensor[] {g[0].mul(3)};
            }

            @Override
            protected Tensor[] jvp(FunctionContext ctx, Tensor... t) {
                return new Tensor[] {t[0].mul(2)};
            }
        };
        Tensor[] x = {f64(6, 4)};
        assertTrue(GradCheck.check(a -> badJvp.apply(a), x, GradCheckOptions.DEFAULTS).passed());
        GradCheck.Report r = GradCheck.check(a -> badJvp.apply(a), x, GradCheckOptions.DEFAULTS.withForwardAd(true));
        assertFalse(r.passed(), r.toString());
        assertTrue(r.toString().contains("forward: input 0"), r.toString());
    }

    @Test
    void aBackwardThatDiffersFromRunToRunFailsTheReentrancyCheck() {
        AtomicInteger calls = new AtomicInteger();
        Function drifting = new Function() { // each backward adds a little more: not reentrant
            @Override
            protected Tensor[] forward(FunctionContext ctx, Tensor... x) {
                return new Tensor[] {x[0].mul(2)};
            }

            @Override
            protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
                return new Tensor[] {g[0].mul(2 + 1e-9 * calls.incrementAndGet())};
            }
        };
        Tensor[] x = {f64(7, 3)};
        assertTrue(GradCheck.check(a -> drifting.apply(a), x, GradCheckOptions.DEFAULTS).passed());
        GradCheck.Report r = GradCheck.check(a -> drifting.apply(a), x, GradCheckOptions.DEFAULTS.withNondetTol(0));
        assertFalse(r.passed(), r.toString());
        assertTrue(r.toString().contains("reentrant"), r.toString());
        assertTrue(GradCheck.check(a -> drifting.apply(a), x, GradCheckOptions.DEFAULTS.withNondetTol(1e-6)).passed());
    }

    @Test
    void badOptionsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> GradCheckOptions.DEFAULTS.withEps(0));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradCheckOptions.DEFAULTS.withTolerances(-1, 0));
    }
}
