package dev.kiln.cpu;

import static dev.kiln.testing.NdArrays.nd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.DType;
import dev.kiln.MemoryScope;
import dev.kiln.Tensor;
import dev.kiln.spi.NdArray;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The CPU caching allocator: what a released storage gives back, and what must never be reused. */
@Isolated // the pool is process-wide: other tests' allocations would take what these ones released
class CpuArrayPoolTest {
    private static final int N = 4096; // 16 KiB of float32: pooled

    @BeforeEach
    void emptyPool() {
        CpuArrayPool.clear();
    }

    @Test
    void aReleasedArrayServesTheNextAllocationOfItsSizeZeroed() {
        CpuStorage first = CpuStorage.allocate(DType.FLOAT32, N);
        float[] array = (float[]) first.array();
        Arrays.fill(array, 7f);
        first.release();
        assertEquals(N * 4L, CpuArrayPool.cachedBytes());

        assertNotSame(array, CpuStorage.allocate(DType.FLOAT64, N).array(), "another dtype");
        assertNotSame(array, CpuStorage.allocate(DType.FLOAT32, N + 1).array(), "another size");
        CpuStorage second = CpuStorage.allocate(DType.FLOAT32, N);
        assertSame(array, second.array());
        assertArrayEquals(new float[N], (float[]) second.array(), "handed out zeroed, as a new array");
        assertEquals(0, CpuArrayPool.cachedBytes());
        assertThrows(IllegalStateException.class, first::array, "the released storage stays unusable");
    }

    /** Kernels that write every element take arrays unzeroed (as torch.empty): what was there never shows through. */
    @Test
    void emptyTensorsSkipTheZeroing_andTheKernelsThatTakeThemOverwriteEverything() {
        float[] values = new float[N];
        float[] relu = new float[N];
        for (int i = 0; i < N; i++) {
            values[i] = i - N / 2;
            relu[i] = Math.max(values[i], 0);
        }
        Tensor x = Tensor.fromArray(values, N);
        CpuStorage first = CpuStorage.allocate(DType.FLOAT32, N);
        float[] array = (float[]) first.array();
        Arrays.fill(array, Float.NaN);
        first.release();
        NdArray empty = CpuMap.emptyArray(new int[] {N}, DType.FLOAT32);
        assertSame(array, CpuStorage.array(empty));
        assertEquals(Float.NaN, array[0], "not zeroed");
        empty.storage().release();
        Tensor y = x.relu(); // its output is the NaN-filled array again
        assertSame(array, CpuStorage.array(nd(y)));
        assertArrayEquals(relu, y.toFloatArray(), "relu writes every element");
        y.close();
        Tensor z = x.add(x);
        assertSame(array, CpuStorage.array(nd(z)));
        assertEquals(-N, z.toFloatArray()[0]);
        assertEquals(N - 2, z.toFloatArray()[N - 1]);
    }

    @Test
    void releasingTwicePoolsTheArrayOnce() {
        CpuStorage s = CpuStorage.allocate(DType.FLOAT64, N);
        s.release();
        s.release();
        assertEquals(N * 8L, CpuArrayPool.cachedBytes());
        Object a = CpuStorage.allocate(DType.FLOAT64, N).array();
        Object b = CpuStorage.allocate(DType.FLOAT64, N).array();
        assertNotSame(a, b);
    }

    @Test
    void arraysHandedToTheUserAreNeverReused() {
        float[] copy;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor t = Tensor.ones(N);
            copy = t.mul(3).toFloatArray(); // a copy made inside the scope, released with it
        }
        float[] expected = new float[N];
        Arrays.fill(expected, 3f);
        for (int i = 0; i < 4; i++) {
            CpuStorage s = CpuStorage.allocate(DType.FLOAT32, N);
            assertNotSame(copy, s.array());
            Arrays.fill((float[]) s.array(), -1f);
        }
        assertArrayEquals(expected, copy);
    }

    @Test
    void aScopesTemporariesAreReusedByTheNextStep() {
        Tensor x = MemoryScope.persist(Tensor.ones(N));
        Object temporary;
        try (MemoryScope scope = MemoryScope.open()) {
            temporary = CpuStorage.array(nd(x.mul(2)));
        }
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor y = x.mul(5);
            assertSame(temporary, CpuStorage.array(nd(y)));
            assertEquals(5.0 * N, y.sum().item(), 0.0);
        }
    }

    @Test
    void smallArraysAreLeftToTheJvm() {
        CpuStorage.allocate(DType.FLOAT32, CpuArrayPool.MIN_BYTES / 4 - 1).release();
        assertEquals(0, CpuArrayPool.cachedBytes());
    }
}
