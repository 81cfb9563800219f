package dev.kiln.cli;

/** A problem with the user's input or machine that a message can explain; the command prints it and exits 2. */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
