package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        Tensor a = Tensor.arange(0, 6, 1, DType.FLOAT32, Device.CPU).reshape(2, 3);
        System.out.println(a);
        Tensor b = a.t().contiguous();
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, b.toFloatArray());
        assertEquals(15.0, a.sum().item());
        assertArrayEquals(new float[] {3, 12}, a.sum(1).toFloatArray());
        Tensor c = a.matmul(a.t());
        assertArrayEquals(new float[] {5, 14, 14, 50}, c.toFloatArray());
        System.out.println(a.add(Tensor.of(1f, 2f, 3f)));
        System.out.println(a.max(1, false).indices());
        System.out.println(Tensor.randn(new Generator(0), 3, 4));
        System.out.println(Tensor.arange(5).gather(0, Tensor.fromArray(new long[] {4, 0}, 2)));
    }
}
