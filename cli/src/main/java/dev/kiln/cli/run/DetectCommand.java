package dev.kiln.cli.run;

import dev.kiln.cli.UserError;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kiln run detect` and its dataset's options: see {@link Detect} and {@link Shapes}. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Object detection on synthetic shapes (rectangles and ellipses with their boxes): an anchor-free"
                + " FCOS-style detector, focal and GIoU losses, batched NMS; validation mAP@0.5 and mAP@[.5:.95] per epoch."
                + " It draws its images from --seed: no --data or --limit-* (see --train-size and --val-size).")
final class DetectCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;
    @Option(names = "--train-size", description = "training images; default: ${DEFAULT-VALUE}")
    int trainSize = 2000;
    @Option(names = "--val-size", description = "validation images; default: ${DEFAULT-VALUE}")
    int valSize = 500;
    @Option(names = "--image-size", description = "the images' side in pixels, a multiple of 4 from 16 to 256;"
            + " default: ${DEFAULT-VALUE}")
    int imageSize = 48;
    @Option(names = "--width", description = "the backbone's first width (then 2x and 4x); default: ${DEFAULT-VALUE}")
    int width = 16;

    @Override
    public Integer call() {
        if (options.run.data != null || options.run.limitTrain != 0 || options.run.limitTest != 0) {
            throw new UserError("kiln run detect draws its images: --data, --limit-train and --limit-test do not apply (see"
                    + " --train-size and --val-size)");
        }
        if (trainSize < 1 || valSize < 1) {
            throw new UserError("--train-size " + trainSize + " and --val-size " + valSize + ": both must be >= 1");
        }
        if (imageSize < 16 || imageSize > 256 || imageSize % ShapeDetector.STRIDE != 0) {
            throw new UserError("--image-size " + imageSize + ": expected a multiple of " + ShapeDetector.STRIDE
                    + " from 16 to 256");
        }
        if (width < 1) {
            throw new UserError("--width " + width + ": must be >= 1");
        }
        RunSettings s = options.settings(Detect.name(imageSize, width), 5, 32, Detect.FILES, null);
        Detect detect = new Detect(s, trainSize, valSize, imageSize, width);
        System.out.println(detect.summary());
        WorkloadRunner.run(detect, s, System.out);
        return 0;
    }
}
