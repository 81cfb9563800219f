package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.cuda.Emulator;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The devices a layer test runs on: the CPU, the emulated CUDA device in each of its three
 * scheduling orders, and the GPU (skipped, with the reason the backend gives, when there is none).
 * Use as {@code @MethodSource("dev.kiln.nn.TestDevices#all")} and call {@link #use()} first.
 */
public record TestDevices(String label, Emulator.Order order) {
    public static Stream<TestDevices> all() {
        return Stream.of(
                new TestDevices("cpu", null),
                new TestDevices("cuda-emu forward", Emulator.Order.FORWARD),
                new TestDevices("cuda-emu reverse", Emulator.Order.REVERSE),
                new TestDevices("cuda-emu random", Emulator.Order.RANDOM),
                new TestDevices("cuda", null));
    }

    /** Every device with float32 and with float64. */
    public static Stream<Arguments> withFloatDtypes() {
        return all().flatMap(d -> Stream.of(Arguments.of(d, DType.FLOAT32), Arguments.of(d, DType.FLOAT64)));
    }

    /** Selects this device (and the emulator's order), or skips the test saying why the GPU is absent. */
    public Device use() {
        if (label.equals("cpu")) {
            return Device.CPU;
        }
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
