package dev.kiln.spi;

import dev.kiln.Device;
import dev.kiln.DeviceUnavailableException;
import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the backend serving a device through {@link ServiceLoader}. */
public final class Backends {
    private static final Map<Device.Type, BackendProvider> PROVIDERS = load();

    private Backends() {
    }

    private static Map<Device.Type, BackendProvider> load() {
        Map<Device.Type, BackendProvider> map = new EnumMap<>(Device.Type.class);
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            map.putIfAbsent(p.deviceType(), p);
        }
        return map;
    }

    public static Backend of(Device device) {
        BackendProvider p = PROVIDERS.get(device.type());
        if (p == null) {
            throw new DeviceUnavailableException("device " + device + ": no backend serves it; the " + device.type()
                    + " backend lives in the kiln-native module, which is not on the class path", null);
        }
        return p.backend(device);
    }

    /** Whether device {@code index} of {@code type} can be used; {@link Device#of} says why not. */
    public static boolean isAvailable(Device.Type type, int index) {
        try {
            of(Device.of(type, index));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
