package dev.kiln.cuda;

import dev.kiln.DType;
import dev.kiln.Device;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A device a kernel test runs on: cuda-emu in each scheduling order, and the GPU (skipped, with
 * the reason the backend gives, when there is none).
 */
record Target(String label, Emulator.Order order) {
    /**
     * Every target, or those the system property {@code kiln.targets} names (comma-separated: "cuda"
     * for the GPU only, "cuda-emu" for the three orders), so a GPU session spends its time on the GPU.
     */
    static Stream<Target> all() {
        return Stream.of(
                new Target("cuda-emu forward", Emulator.Order.FORWARD),
                new Target("cuda-emu reverse", Emulator.Order.REVERSE),
                new Target("cuda-emu random", Emulator.Order.RANDOM),
                new Target("cuda", null)).filter(Target::selected);
    }

    /** Every selected target with float32 and with float64. */
    static Stream<Arguments> withFloatDtypes() {
        return all().flatMap(t -> Stream.of(Arguments.of(t, DType.FLOAT32), Arguments.of(t, DType.FLOAT64)));
    }

    private static boolean selected(Target t) {
        String names = System.getProperty("kiln.targets", "");
        return names.isBlank() || Stream.of(names.split(",")).map(String::trim)
                .anyMatch(n -> t.label.equals(n) || t.label.startsWith(n + " "));
    }

    /** Selects this target (its scheduling order) or skips the test, saying why the GPU is absent. */
    Device use() {
        if (order != null) {
            Emulator.setOrder(order);
            return Device.parse("cuda-emu:0");
        }
        return Device.cuda();   // without a usable GPU it throws, saying why, and the test kit skips the test
    }

    @Override
    public String toString() {
        return label;
    }
}
