package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Which ops run in the 16-bit dtype, which in float32, and how mixed operands meet, inside an Autocast scope. */
class AutocastTest {
    private static Tensor randn(long seed, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, DType.FLOAT32, Device.CPU);
    }

    @Test
    void matmulLinearConvAndAttentionRunInTheSixteenBitType() {
        Tensor x = randn(1, 4, 6);
        Tensor w = randn(2, 3, 6);
        Tensor b = randn(3, 3);
        Tensor k = randn(4, 2, 1, 3, 3);
        try (Autocast ac = Autocast.enable(DType.BFLOAT16)) {
            Tensor y = x.matmul(w.t());
            assertEquals(DType.BFLOAT16, y.dtype());
            assertArrayEquals(x.to(DType.BFLOAT16).matmul(w.t().to(DType.BFLOAT16)).toFloatArray(), y.toFloatArray());
            assertEquals(DType.BFLOAT16, Functional.linear(x, w, b).dtype(), "the bias joins in bfloat16");
            assertEquals(DType.BFLOAT16, Functional.conv2d(x.reshape(1, 1, 4, 6), k, null, 1, 1, 1, 1).dtype());
            assertEquals(DType.BFLOAT16, Functional.convTranspose2d(x.reshape(1, 1, 4, 6).to(DType.FLOAT16), k.reshape(1, 2, 3, 3),
                    b.narrow(0, 0, 2), 2, 1, 1, 1, 1).dtype(), "a float16 input, float32 weights");
            Tensor q = x.reshape(2, 2, 6);
            assertEquals(DType.BFLOAT16, Functional.scaledDotProductAttention(q, q, q, null, true, Double.NaN).dtype());
            Tensor d = x.to(DType.FLOAT64);
            assertEquals(DType.FLOAT64, d.matmul(d.t()).dtype(), "float64 is left as it is");
        }
    }

    @Test
    void softmaxNormsAndLossesRunInFloat32() {
        Tensor h = randn(5, 4, 6).to(DType.FLOAT16);
        try (Autocast ac = Autocast.enable(DType.FLOAT16)) {
            assertEquals(DType.FLOAT32, Functional.softmax(h, 1).dtype());
            assertEquals(DType.FLOAT32, Functional.logSoftmax(h, 1).dtype());
            assertEquals(DType.FLOAT32, Functional.layerNorm(h, new int[] {6}, null, null, 1e-5).dtype());
            assertEquals(DType.FLOAT32, Functional.groupNorm(h.reshape(2, 2, 6), 2, null, null, 1e-5).dtype());
            Tensor p = h.sigmoid();
            assertEquals(DType.FLOAT32, Functional.binaryCrossEntropy(p, p.gt(0.5).to(DType.FLOAT16)).dtype());
        }
    }

    @Test
    void mixedFloatsMeetInTheWiderOneOnlyInsideAScope() {
        Tensor f = randn(6, 3);
        Tensor bf = randn(7, 3).to(DType.BFLOAT16);
        Tensor h = randn(8, 3).to(DType.FLOAT16);
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> f.add(bf));
        assertEquals(true, outside.getMessage().contains("bfloat16"), outside.getMessage());
        try (Autocast ac = Autocast.enable(DType.BFLOAT16)) {
            assertEquals(DType.FLOAT32, f.add(bf).dtype());
            assertEquals(DType.FLOAT32, bf.mul(h).dtype(), "bfloat16 with float16: float32, as PyTorch promotes");
            assertEquals(DType.FLOAT64, bf.sub(f.to(DType.FLOAT64)).dtype());
            assertEquals(DType.BOOL, bf.lt(f).dtype());
            assertEquals(DType.FLOAT32, Tensor.where(bf.gt(0), bf, f).dtype());
            assertArrayEquals(f.add(bf.to(DType.FLOAT32)).toFloatArray(), f.add(bf).toFloatArray());
        }
    }

    @Test
    void scopesNestPerThreadAndRestoreOnClose() {
        Tensor x = randn(9, 2, 2);
        assertNull(Autocast.dtype());
        try (Autocast outer = Autocast.enable(DType.BFLOAT16)) {
            try (Autocast off = Autocast.disable()) {
                assertEquals(DType.FLOAT32, x.matmul(x).dtype());
                try (Autocast inner = Autocast.enable(DType.FLOAT16)) {
                    assertEquals(DType.FLOAT16, x.matmul(x).dtype());
                }
                assertNull(Autocast.dtype());
            }
            assertEquals(DType.BFLOAT16, Autocast.dtype());
        }
        assertNull(Autocast.dtype());
        assertEquals(DType.FLOAT32, x.matmul(x).dtype());
        assertThrows(IllegalArgumentException.class, () -> Autocast.enable(DType.FLOAT32));
    }
}
