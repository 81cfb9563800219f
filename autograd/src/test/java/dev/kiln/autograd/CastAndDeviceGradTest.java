package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Cast is checked exactly: central differences through float32 would only measure float32 rounding. */
class CastAndDeviceGradTest {
    @Test
    void castFloat32ToFloat64_passesTheGradientBackInFloat32() {
        Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_(true);
        x.to(DType.FLOAT64).mul(Tensor.of(2.0, 3.0, 4.0)).sum().backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new float[] {2, 3, 4}, x.grad().toFloatArray());
    }

    @Test
    void castRoundTrip_jvpIsTheTangentRounded() {
        Tensor x = Tensor.of(0.5, 1.5);
        Autograd.Result r = Autograd.jvp(a -> new Tensor[] {a[0].to(DType.FLOAT32).to(DType.FLOAT64).mul(3)},
                new Tensor[] {x}, new Tensor[] {Tensor.of(1.0, -2.0)});
        assertArrayEquals(new double[] {3, -6}, r.derivatives()[0].toDoubleArray());
    }
}
