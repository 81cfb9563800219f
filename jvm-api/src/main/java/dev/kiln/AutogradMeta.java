package dev.kiln;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A tensor's autograd state: whether it requires grad, its accumulated gradient, the node that made
 * it and the hooks on its gradient. Graph nodes hold the metas of their outputs (not the tensors),
 * so hooks and retained gradients work even after the tensor itself is unreachable.
 */
public final class AutogradMeta {
    private boolean requiresGrad;
    private Tensor grad;
    private GradFn gradFn;
    private int outputNr;
    private boolean retainsGrad;
    private final List<UnaryOperator<Tensor>> hooks = new ArrayList<>();
    private final List<Runnable> postAccumulateHooks = new ArrayList<>();

    public boolean requiresGrad() {
        return requiresGrad;
    }

    void setRequiresGrad(boolean requiresGrad) {
        this.requiresGrad = requiresGrad;
    }

    public Tensor grad() {
        return grad;
    }

    /** For the engine and optimizers: replaces the gradient without checks. */
    public void setGrad(Tensor grad) {
        this.grad = grad;
    }

    public GradFn gradFn() {
        return gradFn;
    }

    public int outputNr() {
        return outputNr;
    }

    void setGradFn(GradFn fn, int nr) {
        gradFn = fn;
        outputNr = nr;
        requiresGrad = true;
    }

    public boolean retainsGrad() {
        return retainsGrad || (gradFn == null && requiresGrad);
    }

    void setRetainsGrad() {
        retainsGrad = true;
    }

    /** Applies the hooks in order to a gradient flowing into this tensor. */
    public Tensor applyHooks(Tensor g) {
        for (UnaryOperator<Tensor> h : List.copyOf(hooks)) {
            Tensor r = h.apply(g);
            if (r != null) {
                g = r;
            }
        }
        return g;
    }

    Tensor.HookHandle addHook(UnaryOperator<Tensor> hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    /** True when some hook waits for this leaf's gradient to be final in a backward pass. */
    public boolean hasPostAccumulateHooks() {
        return !postAccumulateHooks.isEmpty();
    }

    /** For the engine: this leaf's gradient is final for the current backward pass. */
    public void runPostAccumulateHooks() {
        for (Runnable h : List.copyOf(postAccumulateHooks)) {
            h.run();
        }
    }

    Tensor.HookHandle addPostAccumulateHook(Runnable hook) {
        postAccumulateHooks.add(hook);
        return () -> postAccumulateHooks.remove(hook);
    }

    List<UnaryOperator<Tensor>> hooks() {
        return List.copyOf(hooks);
    }
}
