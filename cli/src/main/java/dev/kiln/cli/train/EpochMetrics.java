package dev.kiln.cli.train;

/** One finished epoch: training loss and accuracy (running means over the epoch), test loss and accuracy, time. */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double seconds) {
}
