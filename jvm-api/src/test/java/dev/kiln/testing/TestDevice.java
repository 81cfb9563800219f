package dev.kiln.testing;

import dev.kiln.DType;
import dev.kiln.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * A device the shared tests (the PyTorch goldens first) run on: the CPU, and whatever a module on the test
 * class path adds through {@link Provider} (native's tests add cuda-emu in its three scheduling orders and the
 * GPU), so a test written once in jvm-api runs on every backend of the module that runs it.
 *
 * @param label   the name tests show ("cpu", "cuda-emu reverse", "cuda")
 * @param select  selects the device (an emulator order, say) and returns it, or skips the test saying why it
 *                is absent
 */
public record TestDevice(String label, Supplier<Device> select) {
    public static final TestDevice CPU = new TestDevice("cpu", () -> Device.CPU);

    /** Devices beyond the CPU, found with ServiceLoader on the test class path. */
    public interface Provider {
        List<TestDevice> devices();
    }

    /** The CPU, then every provider's devices. */
    public static List<TestDevice> all() {
        List<TestDevice> all = new ArrayList<>(List.of(CPU));
        for (Provider p : ServiceLoader.load(Provider.class)) {
            all.addAll(p.devices());
        }
        return all;
    }

    /** Every device with float32 and with float64, as (device, dtype) arguments. */
    public static Stream<Arguments> withFloatDtypes() {
        return all().stream().flatMap(d -> Stream.of(Arguments.of(d, DType.FLOAT32), Arguments.of(d, DType.FLOAT64)));
    }

    /** Selects this device (see {@link #select}). */
    public Device use() {
        return select.get();
    }

    @Override
    public String toString() {
        return label;
    }
}
