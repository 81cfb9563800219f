package dev.kiln.cuda;

import dev.kiln.Device;
import dev.kiln.spi.Backends;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A device a kernel test runs on: cuda-emu in each scheduling order, and the GPU (skipped, with
 * the reason the backend gives, when there is none).
 */
record Target(String label, Device device, Emulator.Order order) {
    static Stream<Target> all() {
        return Stream.of(
                new Target("cuda-emu forward", Device.parse("cuda-emu:0"), Emulator.Order.FORWARD),
                new Target("cuda-emu reverse", Device.parse("cuda-emu:0"), Emulator.Order.REVERSE),
                new Target("cuda-emu random", Device.parse("cuda-emu:0"), Emulator.Order.RANDOM),
                new Target("cuda", Device.cuda(), null));
    }

    /** Selects this target (its scheduling order) or skips the test, saying why the GPU is absent. */
    Device use() {
        if (order != null) {
            Emulator.setOrder(order);
        } else {
            try {
                Backends.of(device);
            } catch (RuntimeException e) {
                Assumptions.abort("no GPU: " + e.getMessage());
            }
        }
        return device;
    }

    @Override
    public String toString() {
        return label;
    }
}
