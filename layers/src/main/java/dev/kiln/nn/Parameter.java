package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.GradMode;
import dev.kiln.Shape;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * A trainable tensor owned by a {@link Module}, as {@code torch.nn.Parameter}. It holds a leaf tensor
 * that requires grad; layers read {@link #data()} on every forward, optimizers update it in place
 * with {@link #update}, and loading a checkpoint copies values in with {@link #copyFrom}.
 */
public final class Parameter {
    private Tensor data;

    /** Takes the values of {@code init} (detached) as a new leaf that requires grad. */
    public Parameter(Tensor init) {
        this.data = init.detach().contiguous().requiresGrad_(true);
    }

    /** The leaf tensor to compute with. */
    public Tensor data() {
        return data;
    }

    public Tensor grad() {
        return data.grad();
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

    /** As {@link #update}, with a shape check whose error names {@code key}. */
    public void copyFrom(String key, Tensor value) {
        if (!Arrays.equals(value.shape(), data.shape())) {
            throw new IllegalArgumentException("load_state_dict: size mismatch for " + key + ": copying a param with shape "
                    + Shape.str(value.shape()) + ", the shape in the current model is " + Shape.str(data.shape()));
        }
        update(value.to(data.dtype()));
    }

    /** Replaces the tensor by a new leaf of another dtype (gradient dropped), as {@code module.to(dtype)}. */
    void castTo(DType dtype) {
        if (data.dtype() != dtype) {
            data = data.detach().to(dtype).requiresGrad_(true);
        }
    }

    @Override
    public String toString() {
        return "Parameter" + Shape.str(data.shape()) + " " + data.dtype();
    }
}
