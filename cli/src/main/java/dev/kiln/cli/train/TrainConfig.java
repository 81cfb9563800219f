package dev.kiln.cli.train;

import dev.kiln.Device;
import java.nio.file.Path;

/** What `kiln train` was asked to do; resume is a checkpoint file or null. */
public record TrainConfig(String model, int epochs, int batchSize, double lr, String optimizer, long seed, Device device,
                          Path dataDir, Path outDir, Path resume, int limitTrain, int limitTest, boolean progress) {
}
