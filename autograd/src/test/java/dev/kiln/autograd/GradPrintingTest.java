package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.GradMode;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Tensors print their grad_fn, or requires_grad for a leaf, as PyTorch's do. */
class GradPrintingTest {
    @Test
    void leafShowsRequiresGradAndResultShowsItsGradFn() {
        Tensor leaf = Tensor.of(1.5f, 2f).requiresGrad_(true);
        assertEquals("tensor([1.5000, 2.0000], shape=[2], dtype=float32, device=cpu, requires_grad=true)", leaf.toString());
        Tensor y = leaf.mul(2);
        assertEquals("tensor([3., 4.], shape=[2], dtype=float32, device=cpu, grad_fn=<" + y.gradFn().name() + ">)",
                y.toString());
        assertEquals("tensor([1.5000, 2.0000], shape=[2], dtype=float32, device=cpu)", leaf.detach().toString());
        try (var scope = GradMode.noGrad()) {
            assertEquals("tensor([3., 4.], shape=[2], dtype=float32, device=cpu)", leaf.mul(2).toString());
        }
    }
}
