package dev.kiln.distributed;

/** A collective failed or did not complete in time; the message names the collective and the ranks. */
public class DistributedException extends RuntimeException {
    public DistributedException(String message) {
        super(message);
    }

    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }
}
