package dev.kiln.cli.train;

import dev.kiln.Device;
import java.nio.file.Path;

/**
 * What `kiln train` was asked to do; resume is a checkpoint file or null. Distributed, batchSize is
 * each rank's, and syncBatchNorm makes the model's batch norms use the global batch's statistics.
 */
public record TrainConfig(String model, int epochs, int batchSize, double lr, String optimizer, long seed, Device device,
                          Path dataDir, Path outDir, Path resume, int limitTrain, int limitTest, boolean progress,
                          boolean distributed, boolean syncBatchNorm, String precision) {
}
