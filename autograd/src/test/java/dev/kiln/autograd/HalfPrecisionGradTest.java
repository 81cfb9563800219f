package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backward through bfloat16 / float16 ops: gradients of the 16-bit type, close to float32's on the same inputs. */
class HalfPrecisionGradTest {
    private static Tensor input(long seed, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, DType.FLOAT32, Device.CPU).to(dtype).to(DType.FLOAT32);
    }

    @ParameterizedTest
    @EnumSource(names = {"BFLOAT16", "FLOAT16"})
    void gradientsFlowInTheSixteenBitType(DType dtype) {
        Tensor x32 = input(5, dtype, 4, 6);
        Tensor w32 = input(6, dtype, 6, 3);
        Tensor x = x32.to(dtype).requiresGrad_(true);
        Tensor w = w32.to(dtype).requiresGrad_(true);
        Functional.logSoftmax(x.matmul(w).tanh(), 1).sum().backward();
        Tensor xr = x32.clone().requiresGrad_(true);
        Tensor wr = w32.clone().requiresGrad_(true);
        Functional.logSoftmax(xr.matmul(wr).tanh(), 1).sum().backward();
        assertEquals(dtype, x.grad().dtype());
        assertEquals(dtype, w.grad().dtype());
        double tol = dtype == DType.BFLOAT16 ? 0.06 : 0.01;   // a few roundings of the 16-bit type on the way
        float[] want = wr.grad().toFloatArray();
        float[] got = w.grad().toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), "grad w " + i);
        }
        want = xr.grad().toFloatArray();
        got = x.grad().toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), "grad x " + i);
        }
    }
}
