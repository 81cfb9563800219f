package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.FusedOptim;
import dev.kiln.GradMode;
import dev.kiln.SgdParams;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Fused steps write leaves that require grad only under no-grad, as copy_ does (needs autograd, hence here). */
class FusedStepGradModeTest {
    @Test
    void aLeafThatRequiresGrad_isSteppedOnlyUnderNoGrad() {
        Tensor p = Tensor.zeros(3).requiresGrad_(true);
        SgdParams plain = new SgdParams(0.5, 0, 0, 0, false, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FusedOptim.sgd_(p, Tensor.ones(3), null, plain));
        assertTrue(e.getMessage().contains("sgd_step: param requires grad, but optimizer steps are not recorded"), e.getMessage());
        try (var noGrad = GradMode.noGrad()) {
            FusedOptim.sgd_(p, Tensor.ones(3), null, plain);
        }
        assertArrayEquals(new double[] {-0.5, -0.5, -0.5}, p.detach().toDoubleArray());
    }
}
