package dev.kiln.nn.checkpoint;

/** A checkpoint file that cannot be read: truncated, corrupt, or not matching the model. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
