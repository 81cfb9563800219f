package dev.kiln.cuda;

/** Device memory ran out even after the allocator's cache was emptied. */
public final class CudaOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaOutOfMemoryException(String message) {
        super(message);
    }
}
