package dev.kiln.cuda;

import dev.kiln.Device;
import dev.kiln.autograd.GradCheck;
import dev.kiln.autograd.PrimitiveCases;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every differentiable primitive passes the float64 gradcheck with its inputs on the CUDA backend:
 * forward and backward kernels together (cuda-emu in random scheduling order, and the GPU).
 */
class CudaGradCheckTest {
    static Stream<Arguments> targetsAndCases() {
        return Target.all().filter(t -> t.order() == null || t.order() == Emulator.Order.RANDOM)
                .flatMap(t -> PrimitiveCases.all().stream().map(c -> Arguments.of(t, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndCases")
    void gradcheck_passesInFloat64(Target target, PrimitiveCases.Case c) {
        Device dev = target.use();
        GradCheck.gradcheck(c.f(), c.inputs(1, dev));
    }
}
