package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Base of every layer and model, as {@code torch.nn.Module}: named parameters, buffers and child
 * modules in registration order, train/eval mode, {@code apply}, state dicts and dtype casts.
 * Subclasses register what they own in their constructor; names are joined with dots as in PyTorch
 * ({@code "0.weight"}, {@code "bn.running_mean"}), so state dicts line up with PyTorch's.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter initialised from {@code init}; null registers an absent one (e.g. bias=False). */
    protected final Parameter registerParameter(String name, Tensor init) {
        checkName(name);
        Parameter p = init == null ? null : new Parameter(init);
        parameters.put(name, p);
        return p;
    }

    /** Registers state that is saved but not trained (running statistics); it outlives every MemoryScope. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value == null ? null : MemoryScope.persist(value));
        return value;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid member name '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
        }
    }

    /** This module's buffer {@code name} (its current tensor). */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Direct children, in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants, keyed by dotted path; shared ones once. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collectParameters("", out, seen);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out, Set<Parameter> seen) {
        parameters.forEach((n, p) -> {
            if (p != null && seen.add(p)) {
                out.put(prefix + n, p);
            }
        });
        children.forEach((n, m) -> m.collectParameters(prefix + n + ".", out, seen));
    }

    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of this module and its descendants, keyed by dotted path. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.buffers.forEach((n, b) -> out.put(prefix + n, b)));
        return out;
    }

    /** This module and every descendant with its dotted path ("" for this one), parents first. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), m));
        return out;
    }

    private void visit(String prefix, java.util.function.BiConsumer<String, Module> f) {
        f.accept(prefix, this);
        children.forEach((n, m) -> m.visit(prefix + n + ".", f));
    }

    /** Number of parameter scalars, frozen ones included (shared parameters counted once). */
    public long parameterCount() {
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    /** Number of scalars of the parameters that require grad (shared parameters counted once). */
    public long trainableParameterCount() {
        return parameters().stream().filter(Parameter::requiresGrad).mapToLong(Parameter::numel).sum();
    }

    /** Calls {@code f} on every descendant, children first, then on this module, as {@code Module.apply}. */
    public Module apply(Consumer<Module> f) {
        children.values().forEach(m -> m.apply(f));
        f.accept(this);
        return this;
    }

    public Module train(boolean mode) {
        apply(m -> m.training = mode);
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient (set to none, as PyTorch's default). */
    public void zeroGrad() {
        parameters().forEach(Parameter::zeroGrad);
    }

    /**
     * Casts floating-point parameters and buffers to {@code dtype}, as {@code module.to(dtype)}; returns
     * this module as its own type ({@code Linear l = new Linear(4, 2).to(DType.FLOAT64)}).
     */
    public <M extends Module> M to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: only float dtypes are allowed, got " + dtype);
        }
        apply(m -> {
            m.parameters.values().forEach(p -> {
                if (p != null) {
                    p.castTo(dtype);
                }
            });
            m.buffers.replaceAll((n, b) -> b != null && b.dtype().isFloatingPoint() ? MemoryScope.persist(b.to(dtype)) : b);
        });
        return self();
    }

    /** Moves parameters and buffers to {@code device}, as {@code module.to(device)}; optimizers must be built after. */
    public <M extends Module> M to(Device device) {
        apply(m -> {
            m.parameters.values().forEach(p -> {
                if (p != null) {
                    p.moveTo(device);
                }
            });
            m.buffers.replaceAll((n, b) -> b == null ? null : MemoryScope.persist(b.to(device)));
        });
        return self();
    }

    /** This module as the caller's static type: every subclass of Module is an M the caller chose. */
    @SuppressWarnings("unchecked")
    private <M extends Module> M self() {
        return (M) this;
    }

    /**
     * Runs body with the named parameters (dotted paths, as {@link #namedParameters}) replaced by the
     * given tensors, then puts the module's own back, as torch.func.functional_call: gradients flow to
     * the given tensors, so GradCheck can check a module's parameters:
     * {@code GradCheck.gradcheck(w -> lin.functionalCall(Map.of("weight", w[0]), () -> lin.forward(x)), w0)}.
     */
    public <T> T functionalCall(Map<String, Tensor> params, Supplier<T> body) {
        Map<String, Parameter> own = namedParameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Parameter p = own.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".functionalCall: no parameter named '"
                        + e.getKey() + "' (parameters: " + own.keySet() + ")");
            }
            if (!Arrays.equals(p.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".functionalCall: '" + e.getKey()
                        + "' has shape " + Shape.str(p.shape()) + ", got " + Shape.str(e.getValue().shape()));
            }
        }
        Map<Parameter, Tensor> saved = new LinkedHashMap<>();
        try {
            params.forEach((name, t) -> saved.put(own.get(name), own.get(name).swap(t)));
            return body.get();
        } finally {
            saved.forEach(Parameter::swap);
        }
    }

    /** Parameters and buffers by dotted path (live tensors, not copies), as {@code state_dict()}. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            m.parameters.forEach((n, p) -> {
                if (p != null) {
                    out.put(prefix + n, p.data().detach());
                }
            });
            m.buffers.forEach((n, b) -> {
                if (b != null) {
                    out.put(prefix + n, b);
                }
            });
        });
        return out;
    }

    /**
     * Copies values into parameters and buffers, as {@code load_state_dict(strict=True)}: a missing or
     * unexpected key, or a shape mismatch, throws naming the keys and shapes; nothing is changed then.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        Set<String> missing = new LinkedHashSet<>(own.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new LinkedHashSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing key(s) " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected key(s) " + unexpected);
        }
        own.forEach((k, t) -> {
            Tensor v = state.get(k);
            if (v != null && !Arrays.equals(v.shape(), t.shape())) {
                problems.add("size mismatch for " + k + ": copying a tensor with shape " + Shape.str(v.shape())
                        + ", the shape in the current model is " + Shape.str(t.shape()));
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("load_state_dict for " + getClass().getSimpleName() + ": "
                    + String.join("; ", problems));
        }
        try (var scope = GradMode.noGrad()) {
            own.forEach((k, t) -> t.copy_(state.get(k).to(t.dtype())));
        }
    }

    /** Name shown in summaries: the class name and its settings, as PyTorch's repr. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
