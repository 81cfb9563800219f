package dev.kiln;

/**
 * Whether ops are recorded for autograd on this thread. {@code try (var scope = GradMode.noGrad()) {...}}
 * is PyTorch's {@code with torch.no_grad():}; scopes nest and restore the previous mode on close.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** A scope in which no op is recorded. */
    public static Scope noGrad() {
        return set(false);
    }

    /** A scope in which ops are recorded (e.g. inside a no-grad region). */
    public static Scope enableGrad() {
        return set(true);
    }

    public static Scope set(boolean enabled) {
        boolean previous = ENABLED.get();
        ENABLED.set(enabled);
        return new Scope(previous);
    }

    /** Restores the previous mode when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            ENABLED.set(previous);
        }
    }
}
