package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.cli.data.Batches;
import dev.kiln.cli.data.LabeledImages;
import java.nio.file.Path;

/**
 * A `kiln run` run's settings, checked: device, total epochs, batch size, seed, data directory, how many
 * training / test examples to use (0: all), the run directory, the checkpoint resumed (or null) and the bar.
 */
public record RunSettings(Device device, int epochs, int batchSize, long seed, Path data, int limitTrain, int limitTest,
                          Path outDir, Path resume, boolean progress) {
    /** Epoch {@code epoch}'s own seed (kiln train's rule), so a resumed run draws as an uninterrupted one. */
    public long epochSeed(int epoch) {
        return seed * 1000003L + epoch;
    }

    /** data in batches of batchSize on the device, shuffled by epoch {@code epoch}'s own stream. */
    public Batches shuffled(LabeledImages data, int epoch) {
        return Batches.shuffled(data, batchSize, device, new Generator(epochSeed(epoch)));
    }
}
