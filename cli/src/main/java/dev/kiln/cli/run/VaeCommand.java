package dev.kiln.cli.run;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `kiln run vae`: see {@link Vae}. */
@Command(name = "vae", mixinStandardHelpOptions = true,
        description = "A convolutional variational auto-encoder on Fashion-MNIST: ELBO = reconstruction + KL per epoch;"
                + " reconstructions, samples and latent walks as PNG grids.")
final class VaeCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        RunSettings s = options.settings("vae", 5, 128, Vae.FILES);
        WorkloadRunner.run(new Vae(s), s, System.out);
        return 0;
    }
}
