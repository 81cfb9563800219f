package dev.kiln.autograd;

import dev.kiln.Tensor;

/**
 * {@code try (var a = AnomalyMode.detect()) {...}}: nodes remember where their forward op was
 * created, and every gradient a rule returns is checked for NaN/Inf; the error names the forward op
 * and carries its creation stack trace as the cause.
 */
public final class AnomalyMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private AnomalyMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    public static Scope detect() {
        boolean previous = ENABLED.get();
        ENABLED.set(true);
        return new Scope(previous);
    }

    static void check(Node node, int input, Tensor g) {
        Tensor bad = g.detach().ne(g.detach()).logicalOr(g.detach().abs().eq(Double.POSITIVE_INFINITY));
        long count = (long) bad.to(dev.kiln.DType.INT64).sum().item();
        if (count > 0) {
            IllegalStateException e = new IllegalStateException("anomaly: the backward of " + node.op.name() + " returned "
                    + count + " NaN/Inf value(s) in the gradient of " + node.describeInput(input)
                    + (node.createdAt == null ? " (the forward op ran before anomaly mode was on)"
                    : "; the forward op was created at the cause's stack trace"));
            if (node.createdAt != null) {
                e.initCause(node.createdAt);
            }
            throw e;
        }
    }

    /** Restores the previous mode on close. */
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
