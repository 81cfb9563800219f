package dev.kiln;

import dev.kiln.spi.AutogradEngine;
import dev.kiln.graph.Op;
import java.util.ServiceLoader;

/** The link from the tensor API to the autograd engine (module kiln-autograd), when it is on the class path. */
final class AutogradLink {
    private static final AutogradEngine ENGINE = ServiceLoader.load(AutogradEngine.class, AutogradLink.class.getClassLoader())
            .findFirst().orElse(null);

    private AutogradLink() {
    }

    static AutogradEngine engine(String op) {
        if (ENGINE == null) {
            throw new IllegalStateException(op + ": gradients need the kiln-autograd module on the class path");
        }
        return ENGINE;
    }

    /** True when grad mode is on and some input requires grad. */
    static boolean needed(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** Records op on out when an input needs grad (and shows it to open {@link FlopCounter}s); returns out. */
    static Tensor record(Op op, Tensor out, Tensor... inputs) {
        if (FlopCounter.anyOpen()) {
            FlopCounter.observe(op, inputs, new Tensor[] {out});
        }
        if (needed(inputs)) {
            engine(op.name()).record(op, inputs, new Tensor[] {out});
        }
        return out;
    }

    static Tensor[] record(Op op, Tensor[] outs, Tensor... inputs) {
        if (FlopCounter.anyOpen()) {
            FlopCounter.observe(op, inputs, outs);
        }
        if (needed(inputs)) {
            engine(op.name()).record(op, inputs, outs);
        }
        return outs;
    }
}
