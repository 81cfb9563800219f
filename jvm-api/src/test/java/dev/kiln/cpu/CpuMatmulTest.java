package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A batch of products too small to split by themselves is split over its entries: each entry still equals its product
 * alone, bit for bit, on one thread and on the team, for broadcast and transposed operands too.
 */
class CpuMatmulTest {
    @Test
    void smallProductsSplitOverTheBatchEqualEachProductAlone() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor alpha = Tensor.randn(new Generator(0), 64, 1, 27).to(dtype);               // (B, 1, S)
            Tensor memory = Tensor.randn(new Generator(1), 64, 27, 128).to(dtype);            // (B, S, H)
            Tensor shared = Tensor.randn(new Generator(2), 1, 27, 128).to(dtype);             // broadcast over B
            check(alpha, memory);
            check(memory.transpose(1, 2), alpha.transpose(1, 2));                           // (B, H, S) @ (B, S, 1)
            check(alpha, shared);
        }
    }

    private static void check(Tensor a, Tensor b) {
        Tensor batched = a.matmul(b);
        int entries = batched.size(0);
        try {
            for (int threads : new int[] {1, Parallel.maxThreads()}) {
                Parallel.setThreads(threads);
                Tensor again = a.matmul(b);
                for (int i = 0; i < entries; i++) {
                    Tensor ai = a.select(0, a.size(0) == 1 ? 0 : i);
                    Tensor bi = b.select(0, b.size(0) == 1 ? 0 : i);
                    assertArrayEquals(ai.matmul(bi).toDoubleArray(), batched.select(0, i).toDoubleArray(),
                            "entry " + i + " of " + a + " @ " + b);
                }
                assertArrayEquals(batched.toDoubleArray(), again.toDoubleArray(), threads + " threads");
            }
        } finally {
            Parallel.setThreads(Parallel.maxThreads());
        }
    }
}
