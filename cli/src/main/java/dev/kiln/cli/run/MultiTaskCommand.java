package dev.kiln.cli.run;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run multitask [--pcgrad]`: see {@link MultiTask}. */
@Command(name = "multitask", mixinStandardHelpOptions = true,
        description = "Two tasks on one trunk (Fashion-MNIST class, and upper-body garment or not): per-task gradients,"
                + " their cosine per step, optionally PCGrad.")
final class MultiTaskCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;
    @Option(names = "--pcgrad", description = "update the trunk with PCGrad's projected gradients (default: their plain sum)")
    boolean pcgrad;

    @Override
    public Integer call() {
        RunSettings s = options.settings(pcgrad ? "multitask-pcgrad" : "multitask", 3, 64, MultiTask.FILES);
        WorkloadRunner.run(new MultiTask(s, pcgrad), s, System.out);
        return 0;
    }
}
