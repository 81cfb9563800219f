package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The CPU team's size: one thread runs every loop on the caller, and results do not depend on it. */
class ParallelThreadsTest {
    @Test
    void oneThreadRunsEveryPieceOnTheCallerWithTheSameResults() {
        Tensor a = Tensor.randn(new Generator(0), 300, 200);
        Tensor b = Tensor.randn(new Generator(1), 200, 100);
        float[] team = a.matmul(b).toFloatArray();
        try {
            Parallel.setThreads(1);
            assertEquals(1, Parallel.threads());
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            Parallel.forRange(1000, 1, (s, e) -> ran.add(Thread.currentThread()));
            assertEquals(Set.of(Thread.currentThread()), ran);
            assertArrayEquals(team, a.matmul(b).toFloatArray());
        } finally {
            Parallel.setThreads(Parallel.maxThreads());
        }
    }

    @Test
    void sizesOutsideOneToTheMostAreRefused() {
        for (int n : new int[] {0, -3, Parallel.maxThreads() + 1}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(n));
            assertTrue(e.getMessage().contains("setNumThreads") && e.getMessage().contains(Integer.toString(n)),
                    e.getMessage());
        }
    }
}
