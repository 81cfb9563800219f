package dev.kiln.autograd;

import dev.kiln.AutogradMeta;
import dev.kiln.DType;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.Tensors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Functional autograd, as {@code torch.autograd}: {@link #grad} (gradients of chosen inputs without
 * touching {@code .grad}), forward mode {@link #jvp}, reverse mode {@link #vjp}, and the
 * {@link #jacobian} and {@link #hessian} helpers built on them.
 */
public final class Autograd {
    private Autograd() {
    }

    /**
     * Runs callback once the backward pass running on this thread has finished (PyTorch's
     * {@code Variable._execution_engine.queue_callback}); called from a hook during backward.
     */
    public static void queueCallback(Runnable callback) {
        Engine.queueCallback("queue_callback", callback);
    }

    /** d(outputs)/d(inputs) . gradOutputs; null gradOutputs means ones for one-element outputs. */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                                boolean createGraph) {
        return grad(outputs, inputs, gradOutputs, retainGraph, createGraph, false);
    }

    /**
     * As PyTorch's {@code torch.autograd.grad}. An input the outputs do not depend on gives an error,
     * or a zero gradient when {@code allowUnused}.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                                boolean createGraph, boolean allowUnused) {
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            Tensor o = outputs[i];
            if (!o.requiresGrad()) {
                throw new IllegalArgumentException("grad: output " + i + " (shape " + Shape.str(o.shape())
                        + ") does not require grad and has no grad_fn");
            }
            Tensor g = gradOutputs == null ? null : gradOutputs[i];
            if (g == null) {
                if (o.numel() != 1) {
                    throw new IllegalArgumentException("grad: output " + i + " has shape " + Shape.str(o.shape())
                            + "; pass gradOutputs for outputs with more than one element");
                }
                g = Tensor.onesLike(o);
            } else if (!Arrays.equals(g.shape(), o.shape())) {
                throw new IllegalArgumentException("grad: gradOutputs[" + i + "] has shape " + Shape.str(g.shape())
                        + " but output " + i + " has shape " + Shape.str(o.shape()));
            }
            seeds[i] = g;
        }
        List<AutogradMeta> metas = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) {
                throw new IllegalArgumentException("grad: input " + i + " (shape " + Shape.str(inputs[i].shape())
                        + ") does not require grad");
            }
            metas.add(Tensors.autogradMeta(inputs[i]));
        }
        Map<AutogradMeta, Tensor> got = Engine.run(outputs, seeds, retainGraph, createGraph, metas);
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            out[i] = got.get(metas.get(i));
            if (out[i] == null) {
                if (!allowUnused) {
                    throw new IllegalArgumentException("grad: input " + i + " (shape " + Shape.str(inputs[i].shape())
                            + ") was not used to compute the outputs; pass allowUnused = true for a zero gradient");
                }
                out[i] = Tensor.zerosLike(inputs[i]);
            }
        }
        return out;
    }

    /** A function's outputs and a derivative of them. */
    public record Result(Tensor[] outputs, Tensor[] derivatives) {
    }

    /**
     * Forward mode: f's outputs at primals and the directional derivatives J(primals) . tangents, by
     * propagating tangents through the recorded ops in the order they ran (one JVP rule per op).
     */
    public static Result jvp(Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] tangents) {
        if (tangents.length != primals.length) {
            throw new IllegalArgumentException("jvp: " + primals.length + " primals but " + tangents.length + " tangents");
        }
        Tensor[] inputs = new Tensor[primals.length];
        Map<AutogradMeta, Tensor> tangent = new IdentityHashMap<>();
        for (int i = 0; i < primals.length; i++) {
            if (!Arrays.equals(primals[i].shape(), tangents[i].shape()) || primals[i].dtype() != tangents[i].dtype()) {
                throw new IllegalArgumentException("jvp: tangent " + i + " (" + Shape.str(tangents[i].shape()) + ", "
                        + tangents[i].dtype() + ") must match primal " + i + " (" + Shape.str(primals[i].shape()) + ", "
                        + primals[i].dtype() + ")");
            }
            inputs[i] = primals[i].detach().requiresGrad_(true);
            tangent.put(Tensors.autogradMeta(inputs[i]), tangents[i].detach());
        }
        Tensor[] outputs;
        boolean previous = Engine.savingAll();
        Engine.saveAll(true);
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outputs = f.apply(inputs);
        } finally {
            Engine.saveAll(previous);
        }
        try (GradMode.Scope off = GradMode.noGrad()) {
            for (Node node : forwardOrder(outputs)) {
                Tensor[] t = new Tensor[node.inputMeta.length];
                boolean any = false;
                for (int i = 0; i < t.length; i++) {
                    t[i] = node.inputMeta[i] == null ? null : tangent.get(node.inputMeta[i]);
                    any |= t[i] != null;
                }
                if (!any) {
                    continue;
                }
                Tensor[] out = node.rule.jvp().apply(node, t);
                for (int i = 0; i < out.length && i < node.outputMeta.length; i++) {
                    if (out[i] != null && node.outputMeta[i] != null) {
                        tangent.put(node.outputMeta[i], out[i]);
                    }
                }
            }
            Tensor[] derivatives = new Tensor[outputs.length];
            for (int i = 0; i < outputs.length; i++) {
                Tensor d = outputs[i].requiresGrad() ? tangent.get(Tensors.autogradMeta(outputs[i])) : null;
                derivatives[i] = d != null ? d.contiguous() : Tensor.zerosLike(outputs[i]);
                outputs[i] = outputs[i].detach();
            }
            return new Result(outputs, derivatives);
        }
    }

    /** Nodes reachable from the outputs, each after the nodes of its inputs. */
    private static List<Node> forwardOrder(Tensor[] outputs) {
        List<Node> order = new ArrayList<>();
        Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>(); // {node, expanded?}
        for (Tensor o : outputs) {
            if (o.gradFn() instanceof Node n) {
                stack.push(new Object[] {n, false});
            }
        }
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            Node n = (Node) top[0];
            if (done.contains(n)) {
                continue;
            }
            if ((Boolean) top[1]) {
                done.add(n);
                order.add(n);
                continue;
            }
            stack.push(new Object[] {n, true});
            for (AutogradMeta in : n.inputMeta) {
                if (in != null && in.gradFn() instanceof Node next && !done.contains(next)) {
                    stack.push(new Object[] {next, false});
                }
            }
        }
        return order;
    }

    /** Reverse mode: f's outputs at primals and v . J(primals) for each primal. */
    public static Result vjp(Function<Tensor[], Tensor[]> f, Tensor[] primals, Tensor[] cotangents) {
        Tensor[] inputs = new Tensor[primals.length];
        for (int i = 0; i < primals.length; i++) {
            inputs[i] = primals[i].detach().requiresGrad_(true);
        }
        Tensor[] outputs;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            outputs = f.apply(inputs);
        }
        Tensor[] grads = grad(outputs, inputs, cotangents, false, false, true);
        Tensor[] detached = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            detached[i] = outputs[i].detach();
        }
        return new Result(detached, grads);
    }

    /** The Jacobian of a one-input, one-output f at x, shape out.shape + x.shape, column by column in forward mode. */
    public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
        Function<Tensor[], Tensor[]> g = a -> new Tensor[] {f.apply(a[0])};
        int n = x.numel();
        Tensor[] columns = new Tensor[n];
        int[] outShape = null;
        for (int j = 0; j < n; j++) {
            Tensor e = basis(x, j);
            Result r = jvp(g, new Tensor[] {x}, new Tensor[] {e});
            outShape = r.outputs()[0].shape();
            columns[j] = r.derivatives()[0].reshape(-1);
        }
        if (n == 0) {
            return Tensor.zeros(Shape.concat(f.apply(x.detach()).shape(), x.shape()), x.dtype(), x.device());
        }
        return Tensor.stack(columns, 1).reshape(Shape.concat(outShape, x.shape()));
    }

    /** The Jacobian by reverse mode, row by row (cheaper when the output is smaller than the input). */
    public static Tensor jacobianReverse(Function<Tensor, Tensor> f, Tensor x) {
        Tensor in = x.detach().requiresGrad_(true);
        Tensor y;
        try (GradMode.Scope on = GradMode.enableGrad()) {
            y = f.apply(in);
        }
        int m = y.numel();
        Tensor[] rows = new Tensor[m];
        for (int i = 0; i < m; i++) {
            Tensor e = basis(y, i);
            rows[i] = grad(new Tensor[] {y}, new Tensor[] {in}, new Tensor[] {e}, true, false, true)[0].reshape(-1);
        }
        if (m == 0) {
            return Tensor.zeros(Shape.concat(y.shape(), x.shape()), x.dtype(), x.device());
        }
        return Tensor.stack(rows, 0).reshape(Shape.concat(y.shape(), x.shape()));
    }

    /** The Hessian of a scalar f at x, shape x.shape + x.shape: reverse over reverse. */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        return jacobianReverse(z -> {
            Tensor y = f.apply(z);
            if (y.numel() != 1) {
                throw new IllegalArgumentException("hessian: f must return one element, got shape " + Shape.str(y.shape()));
            }
            return grad(new Tensor[] {y}, new Tensor[] {z}, null, true, true, true)[0];
        }, x);
    }

    /** One-hot tensor like t with a 1 at flat position i. */
    private static Tensor basis(Tensor t, int i) {
        double[] v = new double[t.numel()];
        v[i] = 1;
        return Tensor.fromArray(v, t.shape()).to(t.dtype()).to(t.device());
    }

    static DType requireFloat64(String op, int index, Tensor t) {
        if (t.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException(op + ": input " + index + " is " + t.dtype() + " (shape "
                    + Shape.str(t.shape()) + "); " + op + " needs float64, because central differences in float32 lose"
                    + " most digits (eps^2 error vs float32 rounding / eps); convert with .to(DType.FLOAT64)");
        }
        return t.dtype();
    }
}
