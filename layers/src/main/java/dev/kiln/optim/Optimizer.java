package dev.kiln.optim;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers, as {@code torch.optim.Optimizer} with one parameter group. {@link #step}
 * runs each parameter's update inside {@code GradMode.noGrad()}, in place, so layers keep their
 * tensors; parameters without a gradient are skipped.
 * Per-parameter state (momentum buffers, moments, step counts) is kept as tensors so that the state
 * dict can be saved in a checkpoint like a model's. A bfloat16 / float16 parameter gets float32 master
 * weights: its state holds a float32 copy ({@code "master"}) that the update runs on, with float32
 * moments, and the parameter is the master rounded after each step (so updates below the 16-bit
 * resolution accumulate, and Adam's eps and squared gradients do not underflow, as in mixed-precision
 * training); a parameter changed from outside since the last step re-seeds the master.
 */
public abstract class Optimizer {
    private final List<Parameter> params;
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    private double lr;

    protected Optimizer(List<Parameter> params, double lr) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": optimizer got an empty parameter list");
        }
        if (!(lr >= 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid learning rate " + lr);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        for (int i = 0; i < params.size(); i++) {
            state.add(new LinkedHashMap<>());
        }
    }

    /**
     * Updates parameter {@code p} (a detached view of its tensor, contiguous) in place from its grad
     * and state; runs without autograd.
     */
    protected abstract void update(Tensor p, Tensor grad, Map<String, Tensor> state);

    public void step() {
        try (var scope = GradMode.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                if (p.grad() != null) {
                    Tensor data = p.data().detach();
                    if (data.dtype().isHalf()) {
                        Tensor master = master(data, state.get(i));
                        update(master, p.grad().to(DType.FLOAT32), state.get(i));
                        data.copy_(master);
                    } else {
                        update(data, p.grad(), state.get(i));
                    }
                    state.get(i).values().forEach(MemoryScope::persist); // state made in a caller's scope outlives it
                }
            }
        }
    }

    /** The float32 master copy of a 16-bit parameter, made (or re-seeded) from it when it does not round to it. */
    private static Tensor master(Tensor data, Map<String, Tensor> state) {
        Tensor master = state.get("master");
        if (master == null || !master.to(data.dtype()).allclose(data, 0, 0)) {
            master = data.to(DType.FLOAT32);
            state.put("master", master);
        }
        return master;
    }

    public void zeroGrad() {
        params.forEach(Parameter::zeroGrad);
    }

    public List<Parameter> parameters() {
        return params;
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate (schedulers call this). */
    public void setLr(double lr) {
        this.lr = lr;
    }

    /** A tensor state entry counting steps, as PyTorch's {@code state['step']}; returns the new count. */
    protected static double incrementStep(Map<String, Tensor> state) {
        double t = state.containsKey("step") ? state.get("step").item() + 1 : 1;
        state.put("step", Tensor.scalar(t, DType.FLOAT64));
        return t;
    }

    /**
     * State by key: {@code "state.<i>.<name>"} for parameter i's tensors and {@code "lr"}; tensors are
     * copies, so saving them later is unaffected by further steps.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < state.size(); i++) {
            int index = i;
            state.get(i).forEach((n, t) -> out.put("state." + index + "." + n, t.clone()));
        }
        out.put("lr", Tensor.full(new int[0], lr, DType.FLOAT64, Device.CPU));
        return out;
    }

    /** Restores a state dict from {@link #stateDict}; an unknown key or a shape mismatch throws naming it. */
    public void loadStateDict(Map<String, Tensor> dict) {
        if (!dict.containsKey("lr")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".load_state_dict: missing key lr");
        }
        List<Map<String, Tensor>> loaded = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            loaded.add(new LinkedHashMap<>());
        }
        for (Map.Entry<String, Tensor> e : dict.entrySet()) {
            String key = e.getKey();
            if (key.equals("lr")) {
                continue;
            }
            String[] parts = key.split("\\.", 3);
            int i = parts.length == 3 && parts[0].equals("state") && parts[1].matches("\\d+") ? Integer.parseInt(parts[1]) : -1;
            if (i < 0 || i >= params.size()) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".load_state_dict: unexpected key " + key
                        + " (this optimizer has " + params.size() + " parameters)");
            }
            Tensor t = e.getValue();
            int[] ps = params.get(i).shape();
            if (t.dim() > 0 && !Arrays.equals(t.shape(), ps)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".load_state_dict: size mismatch for " + key
                        + ": state of shape " + Shape.str(t.shape()) + " for a parameter of shape " + Shape.str(ps));
            }
            // per-element state follows its parameter's dtype (float32 for a 16-bit one's master weights and
            // moments) and device, as PyTorch's load_state_dict
            Parameter p = params.get(i);
            DType stateType = p.dtype().isHalf() ? DType.FLOAT32 : p.dtype();
            loaded.get(i).put(parts[2], t.dim() > 0 ? t.to(stateType).to(p.data().device()).clone() : t.clone());
        }
        for (int i = 0; i < params.size(); i++) {
            loaded.get(i).values().forEach(MemoryScope::persist);
            state.set(i, loaded.get(i));
        }
        lr = dict.get("lr").item();
    }
}
