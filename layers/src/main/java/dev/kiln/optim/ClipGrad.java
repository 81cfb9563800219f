package dev.kiln.optim;

import dev.kiln.GradMode;
import dev.kiln.Tensor;
import dev.kiln.nn.Parameter;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class ClipGrad {
    private ClipGrad() {
    }

    /**
     * Scales all gradients by min(1, maxNorm / (total + 1e-6)), where total is the p-norm of all
     * gradients taken together (p may be infinite); returns total.
     */
    public static double clipGradNorm(List<Parameter> params, double maxNorm, double normType) {
        try (var scope = GradMode.noGrad()) {
            double total = 0;
            for (Parameter p : params) {
                if (p.grad() != null) {
                    Tensor a = p.grad().abs();
                    total = Double.isInfinite(normType) ? Math.max(total, a.max().item())
                            : total + a.pow(normType).sum().item();
                }
            }
            if (!Double.isInfinite(normType)) {
                total = Math.pow(total, 1 / normType);
            }
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Parameter p : params) {
                    if (p.grad() != null) {
                        p.data().setGrad(p.grad().mul(coef));
                    }
                }
            }
            return total;
        }
    }

    /** Clamps every gradient element to [-clipValue, clipValue]. */
    public static void clipGradValue(List<Parameter> params, double clipValue) {
        try (var scope = GradMode.noGrad()) {
            for (Parameter p : params) {
                if (p.grad() != null) {
                    p.data().setGrad(p.grad().clamp(-clipValue, clipValue));
                }
            }
        }
    }
}
