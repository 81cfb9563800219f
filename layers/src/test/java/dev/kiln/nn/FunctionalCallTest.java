package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.GradCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** functionalCall: a module run with given parameter tensors, so gradcheck checks its parameters. */
class FunctionalCallTest {
    @Test
    void gradcheckOfAModulesParameters() {
        Generator g = new Generator(0);
        Sequential m = new Sequential(new Linear(3, 4, g), new Tanh(), new Linear(4, 2, g)).to(DType.FLOAT64);
        Tensor x = Tensor.randn(g, 5, 3).to(DType.FLOAT64);
        Tensor w0 = m.namedParameters().get("0.weight").data().detach().clone().requiresGrad_(true);
        Tensor b2 = m.namedParameters().get("2.bias").data().detach().clone().requiresGrad_(true);
        Tensor before = m.namedParameters().get("0.weight").data();
        GradCheck.gradcheck(p -> m.functionalCall(Map.of("0.weight", p[0], "2.bias", p[1]), () -> m.forward(x)), w0, b2);
        assertSame(before, m.namedParameters().get("0.weight").data(), "the module's own tensors are back");
    }

    @Test
    void unknownNamesAndWrongShapesAreRefused() {
        Linear lin = new Linear(3, 2, new Generator(1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> lin.functionalCall(Map.of("wieght", Tensor.zeros(2, 3)), () -> null));
        assertTrue(e.getMessage().contains("'wieght'") && e.getMessage().contains("weight"), e.getMessage());
        var s = assertThrows(IllegalArgumentException.class,
                () -> lin.functionalCall(Map.of("weight", Tensor.zeros(3, 2)), () -> null));
        assertTrue(s.getMessage().contains("[2, 3]") && s.getMessage().contains("[3, 2]"), s.getMessage());
    }
}
