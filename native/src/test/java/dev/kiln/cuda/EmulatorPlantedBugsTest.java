package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The emulator's own tests: kernels with planted bugs (native/src/test/cuda/planted_bugs.cu) must
 * be caught — by a diagnostic, or by a wrong result in the named scheduling orders — and their
 * fixed twins must pass in every order.
 */
class EmulatorPlantedBugsTest {
    private static final String MODULE = "planted_bugs";
    private final EmuDeviceApi api = new EmuDeviceApi(0);

    private float[] run(String kernel, Emulator.Order order, Dim3 grid, Dim3 block, int outLength,
                        int[] ints, float[]... inputs) {
        Emulator.setOrder(order);
        KernelArgs args = new KernelArgs();
        long[] buffers = new long[inputs.length + 1];
        for (int i = 0; i < inputs.length; i++) {
            buffers[i] = api.malloc(4L * inputs[i].length);
            api.copyToDevice(buffers[i], inputs[i], 0, 4L * inputs[i].length, null);
            args.ptr(buffers[i]);
        }
        buffers[inputs.length] = api.malloc(4L * outLength);
        args.ptr(buffers[inputs.length]);
        for (int v : ints) {
            args.i32(v);
        }
        try {
            api.launch(api.kernel(MODULE, kernel), grid, block, 0, args, null);
            float[] out = new float[outLength];
            api.copyToHost(out, 0, buffers[inputs.length], 4L * outLength, null);
            return out;
        } finally {
            Arrays.stream(buffers).forEach(api::free);
        }
    }

    private static float[] randomInts(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(9) - 4;  // small integers: every sum below is exact in float
        }
        return x;
    }

    // ---- warp-synchronous tail without __syncwarp

    private static float[] blockSums64(float[] x) {
        float[] y = new float[x.length / 64];
        for (int i = 0; i < x.length; i++) {
            y[i / 64] += x[i];
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void warpTailWithSyncwarpIsRightInEveryOrder(Emulator.Order order) {
        float[] x = randomInts(64 * 5, 1);
        assertArrayEquals(blockSums64(x), run("warp_tail_fixed_f32", order, Dim3.of(5), Dim3.of(64), 5, new int[0], x));
    }

    @ParameterizedTest
    @EnumSource(value = Emulator.Order.class, names = {"FORWARD", "REVERSE", "RANDOM"})
    void warpTailWithoutSyncwarpGivesWrongSums(Emulator.Order order) {
        float[] x = randomInts(64 * 5, 2);
        float[] y = run("warp_tail_buggy_f32", order, Dim3.of(5), Dim3.of(64), 5, new int[0], x);
        assertFalse(Arrays.equals(blockSums64(x), y), "the lockstep assumption must break under " + order);
    }

    // ---- missing __syncthreads in a tiled matmul

    private static float[] matmul(float[] a, float[] b, int n, int k, int m) {
        float[] c = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * m + j];
                }
                c[i * m + j] = s;
            }
        }
        return c;
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void tiledMatmulIsRightInEveryOrder(Emulator.Order order) {
        int n = 37, k = 50, m = 21;  // no extent a multiple of the 16 x 16 tile
        float[] a = randomInts(n * k, 3);
        float[] b = randomInts(k * m, 4);
        assertArrayEquals(matmul(a, b, n, k, m),
                run("matmul_fixed_f32", order, new Dim3(2, 3, 1), new Dim3(16, 16, 1), n * m, new int[] {n, k, m}, a, b));
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void tiledMatmulWithoutSecondBarrierIsWrongInEveryOrder(Emulator.Order order) {
        int n = 37, k = 50, m = 21;
        float[] a = randomInts(n * k, 3);
        float[] b = randomInts(k * m, 4);
        float[] c = run("matmul_buggy_f32", order, new Dim3(2, 3, 1), new Dim3(16, 16, 1), n * m, new int[] {n, k, m}, a, b);
        assertFalse(Arrays.equals(matmul(a, b, n, k, m), c));
    }

    // ---- shared scratch reused without a barrier: only a held-back warp exposes it

    private static float[] scratchExpected(float[] x) {
        float[] y = new float[2];
        for (int t = 0; t < 64; t++) {
            y[1 - t / 32] += x[t] + x[t] * x[t];
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void scratchReuseWithBarrierIsRightInEveryOrder(Emulator.Order order) {
        float[] x = randomInts(64, 5);
        assertArrayEquals(scratchExpected(x), run("scratch_fixed_f32", order, Dim3.of(1), Dim3.of(64), 2, new int[0], x));
    }

    @Test
    void scratchReuseWithoutBarrierPassesInOrderButFailsWithAHeldBackWarp() {
        float[] x = randomInts(64, 5);
        float[] expected = scratchExpected(x);
        assertArrayEquals(expected, run("scratch_buggy_f32", Emulator.Order.FORWARD, Dim3.of(1), Dim3.of(64), 2, new int[0], x));
        assertArrayEquals(expected, run("scratch_buggy_f32", Emulator.Order.REVERSE, Dim3.of(1), Dim3.of(64), 2, new int[0], x));
        assertFalse(Arrays.equals(expected, run("scratch_buggy_f32", Emulator.Order.RANDOM, Dim3.of(1), Dim3.of(64), 2, new int[0], x)));
    }

    // ---- early return before a barrier

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void guardedBarrierIsRight(Emulator.Order order) {
        int n = 50;
        float[] x = randomInts(n, 6);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = x[i] + x[n - 1 - i];
        }
        assertArrayEquals(expected, run("reverse_fixed_f32", order, Dim3.of(1), Dim3.of(64), n, new int[] {n}, x));
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void earlyReturnBeforeBarrierIsReported(Emulator.Order order) {
        float[] x = randomInts(50, 6);
        EmulatorException e = assertThrows(EmulatorException.class,
                () -> run("reverse_buggy_f32", order, Dim3.of(1), Dim3.of(64), 50, new int[] {50}, x));
        assertContains(e, "reverse_buggy_f32", "__syncthreads", "planted_bugs.cu", "reached by 50 of 64 threads",
                "threads 50-63 have exited");
    }

    // ---- warp intrinsic misuse

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void shuffleFromALaneOutsideTheMaskIsReported(Emulator.Order order) {
        float[] x = randomInts(32, 7);
        EmulatorException e = assertThrows(EmulatorException.class,
                () -> run("shfl_outside_mask_f32", order, Dim3.of(1), Dim3.of(32), 32, new int[0], x));
        assertContains(e, "__shfl_sync", "reads lane", "not in mask 0x0000ffff");
    }

    @ParameterizedTest
    @EnumSource(Emulator.Order.class)
    void lanesAtDifferentIntrinsicsAreReported(Emulator.Order order) {
        float[] x = randomInts(32, 8);
        EmulatorException e = assertThrows(EmulatorException.class,
                () -> run("mixed_intrinsics_f32", order, Dim3.of(1), Dim3.of(32), 32, new int[0], x));
        assertContains(e, "different intrinsics", "__shfl_xor_sync", "__ballot_sync");
    }

    // ---- launch checks

    @Test
    void argumentOfTheWrongSizeIsRefused() {
        long buf = api.malloc(256);
        try {
            KernelArgs args = new KernelArgs().ptr(buf).ptr(buf).i64(50);  // n is an int: 4 bytes
            EmulatorException e = assertThrows(EmulatorException.class,
                    () -> api.launch(api.kernel(MODULE, "reverse_fixed_f32"), Dim3.of(1), Dim3.of(64), 0, args, null));
            assertContains(e, "argument 2 is 8 bytes", "(int) is 4 bytes");
            KernelArgs tooFew = new KernelArgs().ptr(buf);
            assertContains(assertThrows(EmulatorException.class,
                    () -> api.launch(api.kernel(MODULE, "reverse_fixed_f32"), Dim3.of(1), Dim3.of(64), 0, tooFew, null)),
                    "takes 3 parameters but was launched with 1");
        } finally {
            api.free(buf);
        }
    }

    @Test
    void signatureNamesTheCompiledParameterTypes() {
        assertTrue(api.signature(api.kernel(MODULE, "reverse_fixed_f32")).equals("reverse_fixed_f32(const float*, float*, int)"),
                api.signature(api.kernel(MODULE, "reverse_fixed_f32")));
    }

    @Test
    void oversizedBlockIsRefused() {
        assertContains(assertThrows(EmulatorException.class,
                () -> run("reverse_fixed_f32", Emulator.Order.FORWARD, Dim3.of(1), Dim3.of(2048), 4, new int[] {4}, new float[4])),
                "invalid block", "at most 1024 threads");
    }

    private static void assertContains(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
    }
}
