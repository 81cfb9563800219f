package dev.kiln.cli;

import dev.kiln.Generator;
import dev.kiln.cli.train.Models;
import dev.kiln.nn.summary.ModelSummary;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kiln summary`: layers (blocks expanded), output shapes, parameters, multiply-adds, memory and receptive
 * field of a model for one input shape.
 */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers table.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "cnn", description = "mlp, lenet, cnn, resnet-small (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--input", defaultValue = "1,28,28", split = ",", description = "one example's shape C,H,W (default: 1,28,28)")
    int[] input;

    @Override
    public Integer call() {
        int[] shape = new int[input.length + 1];
        shape[0] = 1; // a batch of one
        System.arraycopy(input, 0, shape, 1, input.length);
        try {
            System.out.println(ModelSummary.of(Models.create(model, new Generator(0)), shape));
        } catch (IllegalArgumentException e) {
            throw new UserError(model + " cannot take input " + Arrays.toString(input) + ": " + e.getMessage(), e);
        }
        return 0;
    }
}
