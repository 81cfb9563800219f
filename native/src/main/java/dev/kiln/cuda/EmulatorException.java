package dev.kiln.cuda;

/** A launch on the emulated device that broke a CUDA rule (barrier, warp intrinsic, argument sizes). */
public final class EmulatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmulatorException(String message) {
        super(message);
    }
}
