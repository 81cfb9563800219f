package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Test;

/** Devices without kiln-native on the class path (this module's tests): CUDA is refused where it is chosen. */
class DeviceTest {
    @Test
    void cudaWithoutTheNativeModuleSaysSo() {
        for (var call : new org.junit.jupiter.api.function.Executable[] {Device::cuda, () -> Device.parse("cuda:1")}) {
            String message = assertThrows(IllegalStateException.class, call).getMessage();
            assertTrue(message.contains("kiln-native module, which is not on the class path"), message);
        }
        assertFalse(Backends.isAvailable(Device.Type.CUDA, 0));
    }

    @Test
    void theCpuIsAlwaysAvailable() {
        assertTrue(Backends.isAvailable(Device.Type.CPU, 0));
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.of(Device.Type.CPU, 1));
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    }
}
