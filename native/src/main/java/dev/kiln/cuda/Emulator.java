package dev.kiln.cuda;

/**
 * Settings of the emulated device (cuda-emu) for the launches that follow. Defaults come from the
 * system properties {@code kiln.emu.order} (forward, reverse, random) and {@code kiln.emu.seed}.
 */
public final class Emulator {
    /** The order in which a block's runnable threads, and the grid's blocks, are run. */
    public enum Order {
        FORWARD, REVERSE,
        /** Shuffled, and one warp held back in every barrier phase until nothing else can run. */
        RANDOM
    }

    private static volatile Order order = Order.valueOf(
            System.getProperty("kiln.emu.order", "forward").toUpperCase(java.util.Locale.ROOT));
    private static volatile long seed = Long.getLong("kiln.emu.seed", 1L);
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private Emulator() {
    }

    public static Order order() {
        return order;
    }

    public static void setOrder(Order o) {
        order = o;
    }

    public static long seed() {
        return seed;
    }

    public static void setSeed(long s) {
        seed = s;
    }

    /**
     * Caps the device memory of emulated device {@code device} at {@code bytes}, beyond which
     * allocation fails as on a full GPU (for testing out-of-memory handling).
     */
    public static void setMemoryLimit(dev.kiln.Device device, long bytes) {
        if (device.type() != dev.kiln.Device.Type.CUDA_EMU) {
            throw new IllegalArgumentException("Emulator.setMemoryLimit: " + device + " is not an emulated device");
        }
        ((EmuDeviceApi) ((CudaBackend) dev.kiln.spi.Backends.of(device)).context().api()).setMemoryLimit(bytes);
    }

    static int workers() {
        return WORKERS;
    }
}
