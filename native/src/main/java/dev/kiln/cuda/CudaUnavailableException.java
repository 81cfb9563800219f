package dev.kiln.cuda;

/** The CUDA device cannot be used; the message says why (no libcuda.so.1, no device, driver too old). */
public final class CudaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
