package dev.kiln.nn.loss;

import dev.kiln.Tensor;

/** A criterion comparing a prediction with a target, as PyTorch's {@code torch.nn.*Loss} modules. */
public interface Loss {
    Tensor forward(Tensor input, Tensor target);
}
