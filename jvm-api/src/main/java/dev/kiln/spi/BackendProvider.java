package dev.kiln.spi;

import dev.kiln.Device;

/** Registered with {@link java.util.ServiceLoader}; tells which devices a backend serves. */
public interface BackendProvider {
    /** The device type this provider serves. */
    Device.Type deviceType();

    /**
     * The backend for {@code device}, or an exception whose message says why it cannot be used
     * (no driver, no such device, driver too old).
     */
    Backend backend(Device device);
}
