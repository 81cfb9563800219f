package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** jvm-api alone (no kiln-autograd on the class path): ops run, and asking for gradients says what is missing. */
class AutogradAbsentTest {
    @Test
    void requiresGrad_withoutTheAutogradModule_namesTheModule() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.of(1.0).requiresGrad_(true));
        assertTrue(e.getMessage().contains("kiln-autograd"), e.getMessage());
    }

    @Test
    void opsOnPlainTensors_recordNothing() {
        Tensor y = Tensor.of(1.0, 2.0).exp();
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
    }
}
