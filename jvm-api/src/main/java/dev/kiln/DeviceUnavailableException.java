package dev.kiln;

/**
 * A device cannot be used here; the message says why (no GPU or driver, a backend module missing from
 * the class path, the emulated device not built). Thrown where the device is chosen ({@link Device#of}).
 */
public class DeviceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
