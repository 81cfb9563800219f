package dev.kiln.cli.train;

import dev.kiln.cli.UserError;
import dev.kiln.nn.Parameter;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;

/** The optimizers `kiln train --optimizer` offers, with PyTorch's defaults (SGD with momentum 0.9). */
public final class Optimizers {
    public static final List<String> NAMES = List.of("adam", "adamw", "sgd");

    private Optimizers() {
    }

    public static Optimizer create(String name, List<Parameter> params, double lr) {
        check(name);
        return switch (name) {
            case "adam" -> Adam.adam(params, lr);
            case "adamw" -> Adam.adamW(params, lr);
            default -> new SGD(params, lr, 0.9, 0, 0, false);
        };
    }

    /** Throws a {@link UserError} listing the valid names unless name is one of them. */
    public static void check(String name) {
        if (!NAMES.contains(name)) {
            throw new UserError("unknown optimizer '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
        }
    }
}
