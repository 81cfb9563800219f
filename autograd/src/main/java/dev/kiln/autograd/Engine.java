package dev.kiln.autograd;

import dev.kiln.AutogradMeta;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.spi.AutogradEngine;
import dev.kiln.graph.Op;
import dev.kiln.spi.Tensors;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records nodes as the tensor API runs and walks them backward: each node's rule runs once, after
 * every gradient flowing into its outputs has been summed (topological order by dependency count).
 */
public final class Engine implements AutogradEngine {
    /** While forward mode evaluates a function, nodes save everything its tangent rules read. */
    private static final ThreadLocal<Boolean> SAVE_ALL = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** The callbacks queued by the backward passes running on this thread, innermost last. */
    private static final ThreadLocal<Deque<List<Runnable>>> CALLBACKS = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public void record(Op op, Tensor[] inputs, Tensor[] outputs) {
        Rule rule = Rules.of(op);
        Node node = new Node(op, rule, inputs, outputs, SAVE_ALL.get(), AnomalyMode.isEnabled());
        Tensor[] differentiable = Arrays.copyOf(outputs, Math.min(outputs.length, rule.differentiableOutputs()));
        node.attach(differentiable);
    }

    static void saveAll(boolean on) {
        SAVE_ALL.set(on);
    }

    static boolean savingAll() {
        return SAVE_ALL.get();
    }

    /** Runs callback when the innermost backward pass running on this thread has finished. */
    static void queueCallback(String op, Runnable callback) {
        Deque<List<Runnable>> running = CALLBACKS.get();
        if (running.isEmpty()) {
            throw new IllegalStateException(op + ": no backward pass is running on this thread");
        }
        running.peekLast().add(callback);
    }

    @Override
    public void backward(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph) {
        run(roots, grads, retainGraph, createGraph, null);
    }

    /**
     * Propagates grads from roots. With {@code capture} (the metas of chosen inputs) gradients are
     * returned for those and no {@code grad()} is touched; otherwise leaves accumulate.
     */
    static Map<AutogradMeta, Tensor> run(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph,
                                         List<AutogradMeta> capture) {
        Map<AutogradMeta, Tensor> captured = capture == null ? null : new IdentityHashMap<>();
        Map<Node, Tensor[]> pending = new HashMap<>();
        List<Node> starts = new ArrayList<>();
        List<Runnable> callbacks = new ArrayList<>();
        CALLBACKS.get().addLast(callbacks);
        try (GradMode.Scope mode = GradMode.set(createGraph)) {
            // leaves with post-accumulate hooks that got a gradient; in edges still to come from nodes
            Set<AutogradMeta> hooked = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < roots.length; i++) {
                Tensor g = createGraph ? grads[i] : grads[i].detach();
                AutogradMeta meta = Tensors.autogradMeta(roots[i]);
                if (roots[i].isLeaf()) {
                    deliverToLeaf(meta, g, captured, capture);
                    if (captured == null && meta.hasPostAccumulateHooks()) {
                        hooked.add(meta);
                    }
                } else {
                    Node node = (Node) meta.gradFn();
                    Tensor[] slot = pending.computeIfAbsent(node, k -> new Tensor[k.outputMeta.length]);
                    slot[meta.outputNr()] = add(slot[meta.outputNr()], g);
                    starts.add(node);
                }
            }
            Map<AutogradMeta, Integer> leafEdges = new IdentityHashMap<>();
            Map<Node, Integer> deps = dependencies(starts, captured == null ? leafEdges : null);
            for (AutogradMeta leaf : hooked) {
                if (!leafEdges.containsKey(leaf)) {
                    leaf.runPostAccumulateHooks();
                }
            }
            Deque<Node> ready = new ArrayDeque<>();
            for (Node s : new java.util.LinkedHashSet<>(starts)) {
                if (deps.getOrDefault(s, 0) == 0) {
                    ready.add(s);
                }
            }
            while (!ready.isEmpty()) {
                Node node = ready.poll();
                Tensor[] gOut = pending.remove(node);
                Tensor[] gIn = gOut == null ? null : apply(node, gOut, captured, capture);
                for (int i = 0; i < node.inputMeta.length; i++) {
                    AutogradMeta in = node.inputMeta[i];
                    if (in == null) {
                        continue;
                    }
                    Tensor g = gIn == null ? null : gIn[i];
                    if (in.gradFn() == null) {
                        if (g != null) {
                            deliverToLeaf(in, g, captured, capture);
                            if (captured == null && in.hasPostAccumulateHooks()) {
                                hooked.add(in);
                            }
                        }
                        Integer left = leafEdges.computeIfPresent(in, (k, n) -> n - 1);
                        if (left != null && left == 0 && hooked.contains(in)) {
                            in.runPostAccumulateHooks();
                        }
                        continue;
                    }
                    Node next = (Node) in.gradFn();
                    if (g != null) {
                        Tensor[] slot = pending.computeIfAbsent(next, k -> new Tensor[k.outputMeta.length]);
                        slot[in.outputNr()] = add(slot[in.outputNr()], g);
                    }
                    if (deps.merge(next, -1, Integer::sum) == 0) {
                        ready.add(next);
                    }
                }
                if (!retainGraph) {
                    node.release();
                }
            }
            for (int i = 0; i < callbacks.size(); i++) {
                callbacks.get(i).run();
            }
        } finally {
            CALLBACKS.get().removeLast();
        }
        return captured;
    }

    /** Runs hooks, retains or captures the outputs' gradients, then the node's rule. */
    private static Tensor[] apply(Node node, Tensor[] gOut, Map<AutogradMeta, Tensor> captured, List<AutogradMeta> capture) {
        for (int i = 0; i < gOut.length; i++) {
            AutogradMeta meta = node.outputMeta[i];
            if (meta == null) {
                gOut[i] = null;
                continue;
            }
            if (gOut[i] == null) {
                gOut[i] = Tensor.zeros(node.outputShapes[i], node.outputDTypes[i], node.inputDevices[0] == null
                        ? dev.kiln.Device.CPU : node.inputDevices[firstInput(node)]);
            }
            gOut[i] = meta.applyHooks(gOut[i]);
            if (captured != null && capture.contains(meta)) {
                captured.merge(meta, gOut[i], Engine::add);
            } else if (captured == null && meta.retainsGrad()) {
                meta.setGrad(add(meta.grad(), gOut[i]));
            }
        }
        Tensor[] gIn = node.rule.vjp().apply(node, gOut);
        for (int i = 0; i < gIn.length && i < node.inputMeta.length; i++) {
            if (gIn[i] == null || node.inputMeta[i] == null) {
                continue;
            }
            if (!Arrays.equals(gIn[i].shape(), node.inputShapes[i])) {
                throw new IllegalStateException("autograd: the rule for " + node.op.name() + " returned a gradient of shape "
                        + Shape.str(gIn[i].shape()) + " for " + node.describeInput(i));
            }
            if (AnomalyMode.isEnabled()) {
                AnomalyMode.check(node, i, gIn[i]);
            }
        }
        return gIn;
    }

    private static int firstInput(Node node) {
        for (int i = 0; i < node.inputDevices.length; i++) {
            if (node.inputDevices[i] != null) {
                return i;
            }
        }
        return 0;
    }

    private static void deliverToLeaf(AutogradMeta leaf, Tensor g, Map<AutogradMeta, Tensor> captured,
                                      List<AutogradMeta> capture) {
        Tensor h = leaf.applyHooks(g);
        if (captured != null) {
            if (capture.contains(leaf)) {
                captured.merge(leaf, h, Engine::add);
            }
            return;
        }
        leaf.setGrad(add(leaf.grad(), GradMode.isEnabled() ? h : h.detach()));
    }

    /**
     * How many edges from nodes reachable from the starts point at each node; with {@code leafEdges},
     * also how many point at each leaf that has post-accumulate hooks.
     */
    private static Map<Node, Integer> dependencies(List<Node> starts, Map<AutogradMeta, Integer> leafEdges) {
        Map<Node, Integer> deps = new HashMap<>();
        Deque<Node> stack = new ArrayDeque<>(starts);
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        for (Node s : starts) {
            seen.put(s, true);
        }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            for (AutogradMeta in : n.inputMeta) {
                if (in == null) {
                    continue;
                }
                if (in.gradFn() == null) {
                    if (leafEdges != null && in.hasPostAccumulateHooks()) {
                        leafEdges.merge(in, 1, Integer::sum);
                    }
                    continue;
                }
                Node next = (Node) in.gradFn();
                deps.merge(next, 1, Integer::sum);
                if (seen.put(next, true) == null) {
                    stack.push(next);
                }
            }
        }
        return deps;
    }

    static Tensor add(Tensor a, Tensor b) {
        return a == null ? b : a.add(b);
    }
}
