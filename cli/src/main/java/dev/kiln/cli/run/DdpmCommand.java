package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run ddpm [--schedule linear|cosine] [--timesteps T]`: see {@link Ddpm}. */
@Command(name = "ddpm", mixinStandardHelpOptions = true,
        description = "A denoising diffusion model on Fashion-MNIST: a small U-Net predicts the noise of q(x_t | x_0);"
                + " ancestral sampling after each epoch (samples.png, chain.png).")
final class DdpmCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;
    @Option(names = "--schedule", description = "the beta schedule: linear (DDPM's) or cosine (Nichol and Dhariwal's);"
            + " default: ${DEFAULT-VALUE}")
    String schedule = "linear";
    @Option(names = "--timesteps", description = "diffusion steps T; default: ${DEFAULT-VALUE}")
    int timesteps = 1000;

    @Override
    public Integer call() {
        DiffusionSchedule betas;
        try {
            betas = DiffusionSchedule.of(schedule, timesteps);
        } catch (IllegalArgumentException e) {
            throw new UserError("--schedule / --timesteps: " + e.getMessage());
        }
        RunSettings s = options.settings(Ddpm.name(schedule, timesteps), 5, 128, Ddpm.FILES);
        WorkloadRunner.run(new Ddpm(s, betas), s, System.out);
        return 0;
    }
}
