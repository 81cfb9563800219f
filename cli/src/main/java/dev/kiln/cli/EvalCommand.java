package dev.kiln.cli;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.cli.train.ConfusionReport;
import dev.kiln.cli.train.Evaluation;
import dev.kiln.cli.train.Models;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.nn.Layer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kiln eval`: test accuracy, per-class accuracy and the confusion matrix of a checkpoint (text and PNG). */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a checkpoint on the Fashion-MNIST test set.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "a checkpoint.safetensors written by kiln train")
    Path checkpoint;
    @Option(names = "--data", description = "directory with the Fashion-MNIST IDX gz files (default: /usr/share/datasets/fashion-mnist)")
    Path data = FashionMnist.DEFAULT_DIR;
    @Option(names = "--device", defaultValue = "auto", description = Devices.VALID + " (default: ${DEFAULT-VALUE})")
    String device;
    @Option(names = "--limit-test", defaultValue = "0", description = "use only the first N test images (0: all)")
    int limitTest;
    @Option(names = "--png", description = "where to draw the confusion matrix (default: confusion.png next to the checkpoint)")
    Path png;

    @Override
    public Integer call() {
        if (limitTest < 0) {
            throw new UserError("--limit-test must be >= 0 (0: all), got " + limitTest);
        }
        Path file = png != null ? png : checkpoint.toAbsolutePath().getParent().resolve("confusion.png");
        OutputPaths.checkFile(file, png != null ? "--png" : "the confusion matrix");
        Map<String, Tensor> saved = RunCheckpoint.read(checkpoint);
        String name = Models.recognise(RunCheckpoint.modelState(saved), checkpoint);
        Layer model = Models.create(name, new Generator(0));
        RunCheckpoint.loadModel(checkpoint, model);
        dev.kiln.Device d = Devices.resolve(device);
        model.to(d);
        LabeledImages test = FashionMnist.test(data).limit(limitTest);
        Evaluation ev = Evaluation.of(model, test, 256, d, FashionMnist.CLASSES.size());
        System.out.printf("%s (%s, epoch %d) on %d test images%n", checkpoint, name, RunCheckpoint.epoch(saved), test.size());
        System.out.print(ConfusionReport.text(ev, FashionMnist.CLASSES));
        try {
            ConfusionReport.png(file, ev, FashionMnist.CLASSES);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the confusion matrix (" + e + ")", e);
        }
        System.out.println("confusion matrix drawn to " + file);
        return 0;
    }
}
