package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Test;

/** Devices without kiln-native on the class path (this module's tests): CUDA and cuda-emu are refused where they are chosen. */
class DeviceTest {
    @Test
    void cudaWithoutTheNativeModuleSaysSo() {
        for (var call : new org.junit.jupiter.api.function.Executable[] {Device::cuda, () -> Device.parse("cuda:1"),
                () -> Device.parse("cuda-emu:0")}) {
            String message = assertThrows(DeviceUnavailableException.class, call).getMessage();
            assertTrue(message.contains("kiln-native module, which is not on the class path"), message);
        }
        assertFalse(Backends.isAvailable(Device.Type.CUDA, 0));
        assertFalse(Backends.isAvailable(Device.Type.CUDA_EMU, 0));
    }

    @Test
    void theCpuIsAlwaysAvailable() {
        assertTrue(Backends.isAvailable(Device.Type.CPU, 0));
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.of(Device.Type.CPU, 1));
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    }
}
