package dev.kiln.autograd;

import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.CustomFunction;
import dev.kiln.graph.Op;
import java.util.Arrays;

/**
 * A user-defined differentiable function with its own backward, as torch.autograd.Function. Subclass
 * it, compute the outputs in {@link #forward} (run without recording, so only the backward you write
 * defines the gradient), return the inputs' gradients from {@link #backward}, and call
 * {@link #apply}. Write backward with tensor ops and it is differentiable again (higher order, as
 * gradgradcheck checks) when backward runs with createGraph; override {@link #jvp} for forward mode.
 * <pre>{@code
 * class Exp extends Function {
 *     protected Tensor[] forward(FunctionContext ctx, Tensor... x) {
 *         Tensor y = x[0].exp();
 *         ctx.saveForBackward(y);
 *         return new Tensor[] {y};
 *     }
 *     protected Tensor[] backward(FunctionContext ctx, Tensor... g) {
 *         return new Tensor[] {g[0].mul(ctx.savedTensors()[0])};
 *     }
 * }
 * Tensor y = new Exp().apply(x)[0];
 * }</pre>
 */
public abstract class Function {
    private static final Engine ENGINE = new Engine();

    /** The outputs of inputs; runs with grad mode off. Save what backward needs in ctx. */
    protected abstract Tensor[] forward(FunctionContext ctx, Tensor... inputs);

    /**
     * One gradient per input (null where an input gets none) from one per output (an output nothing
     * flowed into gets zeros of its shape). Written with tensor ops, it is itself differentiable.
     */
    protected abstract Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs);

    /** One tangent per output from one per input (null: zero); forward mode needs it. */
    protected Tensor[] jvp(FunctionContext ctx, Tensor... tangents) {
        throw new UnsupportedOperationException(name() + ": forward-mode AD needs jvp; override Function.jvp");
    }

    /** The name grad_fn and messages show (default: the class's simple name). */
    public String name() {
        return getClass().getSimpleName().isEmpty() ? "Function" : getClass().getSimpleName();
    }

    /** Runs forward and, when an input requires grad and grad mode is on, records this function's backward. */
    public final Tensor[] apply(Tensor... inputs) {
        FunctionContext ctx = new FunctionContext();
        Tensor[] outputs;
        try (var scope = GradMode.noGrad()) {
            outputs = forward(ctx, inputs);
        }
        if (outputs == null || outputs.length == 0) {
            throw new IllegalStateException(name() + ".forward returned no outputs");
        }
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] == null) {
                throw new IllegalStateException(name() + ".forward returned null for output " + i);
            }
            for (Tensor in : inputs) {
                if (outputs[i] == in) { // an input returned as is gets its own node-carrying tensor
                    outputs[i] = in.detach();
                }
            }
        }
        if (GradMode.isEnabled() && Arrays.stream(inputs).anyMatch(t -> t != null && t.requiresGrad())) {
            ENGINE.record(new Op.Custom(new Applied(ctx, inputs, outputs)), inputs, outputs);
        }
        return outputs;
    }

    /** This function applied once: its context and the shapes backward's results must have. */
    private final class Applied implements CustomFunction {
        private final FunctionContext ctx;
        private final int[][] inputShapes;
        private final int outputs;

        Applied(FunctionContext ctx, Tensor[] inputs, Tensor[] outputs) {
            this.ctx = ctx;
            this.inputShapes = Arrays.stream(inputs).map(t -> t == null ? null : t.shape()).toArray(int[][]::new);
            this.outputs = outputs.length;
        }

        @Override
        public String name() {
            return Function.this.name();
        }

        @Override
        public Tensor[] backward(Tensor[] gradOutputs) {
            return checked("backward", Function.this.backward(ctx, gradOutputs), inputShapes.length, "inputs");
        }

        @Override
        public Tensor[] jvp(Tensor[] tangents) {
            return checked("jvp", Function.this.jvp(ctx, tangents), outputs, "outputs");
        }

        private Tensor[] checked(String method, Tensor[] r, int expected, String what) {
            if (r == null || r.length != expected) {
                throw new IllegalStateException(name() + "." + method + " returned " + (r == null ? "null" : r.length
                        + " tensors") + " for " + expected + " " + what);
            }
            if (method.equals("backward")) {
                for (int i = 0; i < r.length; i++) {
                    if (r[i] != null && inputShapes[i] != null && !Arrays.equals(r[i].shape(), inputShapes[i])) {
                        throw new IllegalStateException(name() + ".backward returned a gradient of shape "
                                + Shape.str(r[i].shape()) + " for input " + i + " of shape " + Shape.str(inputShapes[i]));
                    }
                }
            }
            return r;
        }
    }
}
