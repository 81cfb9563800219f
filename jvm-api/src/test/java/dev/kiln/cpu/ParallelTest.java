package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** Every index of [0, n) is visited exactly once, whatever the grain. */
    @Test
    void everyIndexOnce() {
        for (int n : new int[] {1, 2, 7, 64, 1000, 12345}) {
            for (int grain : new int[] {1, 3, 100, 1 << 20}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.forRange(n, grain, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "n " + n + ", grain " + grain + ", index " + i);
                }
            }
        }
    }

    @Test
    void nestedLoopsRunInlineAndCoverTheirRange() {
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(16, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Parallel.forRange(100, 1, (a, b) -> {
                    for (int j = a; j < b; j++) {
                        sum.addAndGet(row * 100L + j);
                    }
                });
            }
        });
        assertEquals(1600L * 1599 / 2, sum.get());
    }

    /** A kernel's own exception (e.g. an index out of range) reaches the caller as it is. */
    @Test
    void exceptionOfAPieceReachesTheCaller() {
        IllegalArgumentException thrown = new IllegalArgumentException("gather: index 7 out of range");
        IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(64, 1,
                (s, e) -> {
                    if (s <= 40 && 40 < e) {
                        throw thrown;
                    }
                }));
        assertSame(thrown, got);
        // the team is free again afterwards
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(1000, 1, (s, e) -> sum.addAndGet(e - s));
        assertEquals(1000, sum.get());
    }

    /** Loops called from several threads at once all complete, each over its own range. */
    @Test
    void concurrentCallersEachGetTheirWholeRange() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Long>> calls = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int n = 10_000 + c;
                calls.add(() -> {
                    long total = 0;
                    for (int rep = 0; rep < 50; rep++) {
                        AtomicLong sum = new AtomicLong();
                        Parallel.forRange(n, 16, (s, e) -> {
                            long local = 0;
                            for (int i = s; i < e; i++) {
                                local += i;
                            }
                            sum.addAndGet(local);
                        });
                        total += sum.get();
                    }
                    return total;
                });
            }
            List<Future<Long>> results = pool.invokeAll(calls);
            for (int c = 0; c < 8; c++) {
                long n = 10_000 + c;
                assertEquals(50 * n * (n - 1) / 2, results.get(c).get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A thread that calls while another thread's loop holds the team still gets the workers once they are
     * idle: here the first caller is stuck in its own piece until the second loop is done, and a worker runs
     * some of the second loop's pieces (before, the second loop ran on its caller alone).
     */
    @Test
    void aSecondCallerGetsTheIdleWorkers() throws Exception {
        Assumptions.assumeTrue(Parallel.threads() >= 2, "needs a team of two threads or more");
        CountDownLatch secondDone = new CountDownLatch(1);
        CountDownLatch firstStuck = new CountDownLatch(1);
        Thread first = new Thread(() -> Parallel.forRange(64, 1, (s, e) -> {
            if (Thread.currentThread().getName().startsWith("first")) {
                firstStuck.countDown();
                try {
                    secondDone.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            } else {
                LockSupport.parkNanos(1_000_000);   // so the first caller surely claims a piece
            }
        }), "first caller");
        first.start();
        assertTrue(firstStuck.await(10, TimeUnit.SECONDS));
        Set<String> ranOn = ConcurrentHashMap.newKeySet();
        AtomicLong sum = new AtomicLong();
        try {
            Parallel.forRange(64, 1, (s, e) -> {
                ranOn.add(Thread.currentThread().getName());
                sum.addAndGet(e - s);
                LockSupport.parkNanos(2_000_000);   // each piece takes long enough for an idle worker to claim the next
            });
        } finally {
            secondDone.countDown();
            first.join(10_000);
        }
        assertEquals(64, sum.get());
        assertTrue(ranOn.stream().anyMatch(name -> name.startsWith("kiln-cpu-")), "second loop ran only on " + ranOn);
    }

    /** The team forgets a loop once it is done: a kernel's arrays do not outlive it (predictable memory). */
    @Test
    void aFinishedLoopKeepsNothingAlive() throws InterruptedException {
        WeakReference<float[]> captured = runOneLoop();
        for (int i = 0; i < 50 && captured.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(captured.get(), "the array a finished loop's body captured is still reachable");
    }

    private static WeakReference<float[]> runOneLoop() {
        float[] big = new float[1 << 20];
        Parallel.forRange(64, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                big[i] = i;
            }
        });
        return new WeakReference<>(big);
    }
}
