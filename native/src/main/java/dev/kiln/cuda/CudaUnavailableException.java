package dev.kiln.cuda;

import dev.kiln.DeviceUnavailableException;

/**
 * A CUDA device cannot be used; the message says why (no libcuda.so.1, no device, driver too old, JCuda left
 * out, the emulator not built).
 */
public final class CudaUnavailableException extends DeviceUnavailableException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
