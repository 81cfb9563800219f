package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.GradMode;
import dev.kiln.MemoryScope;
import dev.kiln.Shape;
import dev.kiln.Tensor;

/**
 * A trainable tensor owned by a {@link Module}, as {@code torch.nn.Parameter}. It holds a leaf tensor
 * that requires grad; layers read {@link #data()} on every forward, optimizers and {@link #update}
 * write its storage in place, and loading a state dict copies values into the same tensor.
 */
public final class Parameter {
    private Tensor data;

    /** Takes the values of {@code init} (detached) as a new leaf that requires grad; it outlives every MemoryScope. */
    public Parameter(Tensor init) {
        this.data = MemoryScope.persist(init.detach().contiguous().requiresGrad_(true));
    }

    /** The leaf tensor to compute with. */
    public Tensor data() {
        return data;
    }

    public Tensor grad() {
        return data.grad();
    }

    /** False for a frozen parameter: backward gives it no gradient and optimizers leave it as it is. */
    public boolean requiresGrad() {
        return data.requiresGrad();
    }

    /** Freezes (false) or unfreezes the parameter, as {@code param.requires_grad_(flag)}; returns this. */
    public Parameter requiresGrad_(boolean requiresGrad) {
        data.requiresGrad_(requiresGrad);
        return this;
    }

    public void zeroGrad() {
        data.zeroGrad();
    }

    public int[] shape() {
        return data.shape();
    }

    public int numel() {
        return data.numel();
    }

    public DType dtype() {
        return data.dtype();
    }

    /** Writes {@code value} (same shape) into the parameter in place, outside the autograd graph. */
    public void update(Tensor value) {
        try (var scope = GradMode.noGrad()) {
            data.copy_(value);
        }
    }

    /** Puts t in the tensor's place (functionalCall) and returns the one it replaces. */
    Tensor swap(Tensor t) {
        Tensor old = data;
        data = t;
        return old;
    }

    /** Replaces the tensor by a new leaf of another dtype (gradient dropped), as {@code module.to(dtype)}. */
    void castTo(DType dtype) {
        if (data.dtype() != dtype) {
            data = MemoryScope.persist(data.detach().to(dtype).requiresGrad_(data.requiresGrad()));
        }
    }

    /** Replaces the tensor by a new leaf on another device (gradient dropped), as {@code module.to(device)}. */
    void moveTo(Device device) {
        if (!data.device().equals(device)) {
            data = MemoryScope.persist(data.detach().to(device).requiresGrad_(data.requiresGrad()));
        }
    }

    @Override
    public String toString() {
        return "Parameter" + Shape.str(data.shape()) + " " + data.dtype();
    }
}
