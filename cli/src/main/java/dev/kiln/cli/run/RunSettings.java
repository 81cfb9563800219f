package dev.kiln.cli.run;

import dev.kiln.Device;
import java.nio.file.Path;

/**
 * A `kiln run` run's settings, checked: device, total epochs, batch size, seed, data directory, how many
 * training / test examples to use (0: all), the run directory, the checkpoint resumed (or null) and the bar.
 */
public record RunSettings(Device device, int epochs, int batchSize, long seed, Path data, int limitTrain, int limitTest,
                          Path outDir, Path resume, boolean progress) {
}
