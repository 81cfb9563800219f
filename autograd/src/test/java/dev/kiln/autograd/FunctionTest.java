package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** User-defined autograd functions: gradcheck, second order, forward mode, and what a wrong one gets told. */
class FunctionTest {
    /** y = x * exp(w): backward from the saved output and w, written with tensor ops. */
    static final class ScaledExp extends Function {
        @Override
        protected Tensor[] forward(FunctionContext ctx, Tensor... in) {
            Tensor y = in[0].mul(in[1].exp());
            ctx.saveForBackward(in[0], in[1]);
            return new Tensor[] {y};
        }

        @Override
        protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
            Tensor x = ctx.savedTensors()[0];
            Tensor w = ctx.savedTensors()[1];
            Tensor gx = g[0].mul(w.exp());
            return new Tensor[] {gx, g[0].mul(x).mul(w.exp())};
        }

        @Override
        protected Tensor[] jvp(FunctionContext ctx, Tensor... t) {
            Tensor x = ctx.savedTensors()[0];
            Tensor w = ctx.savedTensors()[1];
            Tensor out = t[0] == null ? null : t[0].mul(w.exp());
            Tensor fromW = t[1] == null ? null : t[1].mul(x).mul(w.exp());
            return new Tensor[] {out == null ? fromW : fromW == null ? out : out.add(fromW)};
        }
    }

    /** A backward off by a factor of two: gradcheck must catch it. */
    static final class WrongSquare extends Function {
        @Override
        protected Tensor[] forward(FunctionContext ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return new Tensor[] {in[0].square()};
        }

        @Override
        protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
            return new Tensor[] {g[0].mul(ctx.savedTensors()[0])}; // should be 2 x g
        }
    }

    private static Tensor f64(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64).requiresGrad_(true);
    }

    @Test
    void gradcheckAndGradgradcheckPass() {
        Tensor x = f64(1, 3, 4);
        Tensor w = f64(2, 3, 4);
        GradCheck.gradcheck(a -> new ScaledExp().apply(a)[0], x, w);
        GradCheck.gradgradcheck(a -> new ScaledExp().apply(a)[0], x, w);
        assertEquals("ScaledExp", new ScaledExp().apply(x, w)[0].gradFn().name());
    }

    @Test
    void gradcheckCatchesAWrongBackward() {
        Tensor x = f64(3, 5);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.gradcheck(a -> new WrongSquare().apply(a)[0], x));
        assertTrue(e.getMessage().contains("gradcheck failed"), e.getMessage());
    }

    @Test
    void inputsWithoutGradGetNoneAndForwardRecordsNothingInside() {
        Tensor x = f64(4, 2, 2);
        Tensor w = Tensor.randn(new Generator(5), 2, 2).to(DType.FLOAT64); // a constant
        Tensor y = new ScaledExp().apply(x, w)[0];
        y.sum().backward();
        assertTrue(x.grad().allclose(w.exp(), 1e-12, 0));
        assertNull(w.grad());
        Tensor plain = new ScaledExp().apply(w, w)[0];
        assertFalse(plain.requiresGrad(), "no input requires grad: nothing is recorded");
    }

    @Test
    void forwardModeUsesTheJvp() {
        Tensor x = Tensor.randn(new Generator(6), 3).to(DType.FLOAT64);
        Tensor w = Tensor.randn(new Generator(7), 3).to(DType.FLOAT64);
        Tensor tx = Tensor.ones(new int[] {3}, DType.FLOAT64, Device.CPU);
        Tensor tw = Tensor.zeros(new int[] {3}, DType.FLOAT64, Device.CPU);
        Autograd.Result r = Autograd.jvp(a -> new ScaledExp().apply(a), new Tensor[] {x, w}, new Tensor[] {tx, tw});
        assertTrue(r.derivatives()[0].allclose(w.exp(), 1e-12, 0), r.derivatives()[0].toString());
        var e = assertThrows(UnsupportedOperationException.class,
                () -> Autograd.jvp(a -> new WrongSquare().apply(a), new Tensor[] {x}, new Tensor[] {tx}));
        assertTrue(e.getMessage().contains("WrongSquare") && e.getMessage().contains("jvp"), e.getMessage());
    }

    @Test
    void aBackwardReturningTheWrongCountOrShapeIsNamed() {
        Function tooFew = new Function() {
            @Override
            protected Tensor[] forward(FunctionContext ctx, Tensor... in) {
                return new Tensor[] {in[0].add(in[1])};
            }

            @Override
            protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
                return new Tensor[] {g[0]};
            }

            @Override
            public String name() {
                return "TooFew";
            }
        };
        Tensor y = tooFew.apply(f64(8, 2), f64(9, 2))[0];
        var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("TooFew.backward returned 1 tensors for 2 inputs"), e.getMessage());
    }

    @Test
    void contextValuesAreNamed() {
        FunctionContext ctx = new FunctionContext();
        ctx.put("dim", 3);
        int dim = ctx.get("dim");
        assertEquals(3, dim);
        var e = assertThrows(IllegalArgumentException.class, () -> ctx.get("scale"));
        assertTrue(e.getMessage().contains("'scale'") && e.getMessage().contains("dim"), e.getMessage());
    }
}
