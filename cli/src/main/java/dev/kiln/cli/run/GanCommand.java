package dev.kiln.cli.run;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `kiln run gan`: see {@link Gan}. */
@Command(name = "gan", mixinStandardHelpOptions = true,
        description = "A DCGAN on Fashion-MNIST: both losses per step, D(x) and D(G(z)) per epoch, a fixed-noise sample grid.")
final class GanCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        RunSettings s = options.settings("gan", 5, 128, Gan.FILES);
        WorkloadRunner.run(new Gan(s), s, System.out);
        return 0;
    }
}
