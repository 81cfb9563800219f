package dev.kiln.cli.run;

import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.Map;

/**
 * A workload that trains one module with one optimizer: the checkpoint holds the module under the key its
 * constructor names and the optimizer as "optimizer".
 */
abstract class OneModelWorkload implements Workload {
    private Map<String, Module> modules;
    private Map<String, Optimizer> optimizers;

    /** Names what the checkpoint holds; the subclass's constructor calls it once its model and optimizer are built. */
    protected final void checkpointed(String key, Module model, Optimizer optimizer) {
        modules = Map.of(key, model);
        optimizers = Map.of("optimizer", optimizer);
    }

    @Override
    public final Map<String, Module> modules() {
        return modules;
    }

    @Override
    public final Map<String, Optimizer> optimizers() {
        return optimizers;
    }
}
