package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/**
 * The convolutional VAE of `kiln run vae`: an encoder of two stride-2 4x4 convolutions (28 -> 14 -> 7) and a linear
 * layer to the latent mean and log-variance, and a decoder mirroring it with transposed convolutions, giving the
 * logits of Bernoulli pixels.
 */
final class VaeModel extends Module {
    private static final int CHANNELS = 64;
    private static final int SIDE = 7;
    final int latent;
    private final Sequential encoder;
    private final Linear toStats;
    private final Linear fromLatent;
    private final Sequential decoder;

    VaeModel(int latent, Generator g) {
        this.latent = latent;
        int hidden = CHANNELS * SIDE * SIDE;
        encoder = registerModule("encoder", new Sequential(new Conv2d(1, 32, 4, 2, 1, g), new ReLU(),
                new Conv2d(32, CHANNELS, 4, 2, 1, g), new ReLU(), new Flatten()));
        toStats = registerModule("to_stats", new Linear(hidden, 2 * latent, g));
        fromLatent = registerModule("from_latent", new Linear(latent, hidden, g));
        decoder = registerModule("decoder", new Sequential(new ConvTranspose2d(CHANNELS, 32, 4, 2, 1, 0, g), new ReLU(),
                new ConvTranspose2d(32, 1, 4, 2, 1, 0, g)));
    }

    /** x (N, 1, 28, 28) in [0, 1] -> {mean (N, latent), log-variance (N, latent)}. */
    Tensor[] encode(Tensor x) {
        Tensor stats = toStats.forward(encoder.forward(x));                                // (N, 2 latent)
        return new Tensor[] {stats.narrow(1, 0, latent), stats.narrow(1, latent, latent)};
    }

    /** z (N, latent) -> pixel logits (N, 1, 28, 28). */
    Tensor decode(Tensor z) {
        Tensor h = fromLatent.forward(z).relu().view(z.size(0), CHANNELS, SIDE, SIDE);     // (N, 64, 7, 7)
        return decoder.forward(h);
    }
}
