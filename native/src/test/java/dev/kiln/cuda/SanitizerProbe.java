package dev.kiln.cuda;

/**
 * Runs one planted memory-bug kernel of planted_bugs.cu on cuda-emu, in a child JVM started by
 * {@link EmulatorSanitizerTest}: with the ASan/UBSan build the sanitizer must abort this process.
 * Buffers are allocated at their exact size (not through the caching allocator's size classes).
 */
public final class SanitizerProbe {
    private SanitizerProbe() {
    }

    public static void main(String[] args) {
        EmuDeviceApi api = new EmuDeviceApi(0);
        int n = 1000;
        long x = api.malloc(4L * n);
        long y = api.malloc(4L * n);
        api.copyToDevice(x, new float[n], 0, 4L * n, null);
        // 4 blocks of 256 threads: 1024 > n, so an unguarded kernel writes past y.
        api.launch(api.kernel("planted_bugs", args[0]), Dim3.of(4), Dim3.of(256), 0,
                new KernelArgs().ptr(x).ptr(y).i32(n), null);
        System.out.println("no sanitizer report for " + args[0]);
    }
}
