package dev.kiln.cli.run;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Init;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * The anchor-free detector of `kiln run detect`, FCOS on one stride-4 feature map: a backbone of five 3x3 convolutions
 * with batch norm and ReLU (widths w, 2w, 2w, 4w, 4w; the second and fourth of stride 2), a shared 3x3 convolution
 * with ReLU, then two 1x1 heads: a logit per class and location, and the distances (l, t, r, b) from the location to
 * its box's sides as exp(x) * stride (positive, and one stride at x = 0). Convolutions take PyTorch's default
 * init, but the class head's bias starts at -log((1 - pi) / pi), pi = 0.01 (RetinaNet's prior: every location starts
 * as background with probability 0.99, so the focal loss of the many negatives does not swamp the first steps).
 */
final class ShapeDetector extends Module {
    static final int STRIDE = 4;
    static final double PRIOR = 0.01;

    /** The heads' output for images (N, 1, S, S): class logits (N, C, S / 4, S / 4), distances (N, 4, S / 4, S / 4). */
    record Output(Tensor logits, Tensor distances) {
    }

    private final Sequential backbone;
    private final Sequential head;
    private final Conv2d classes;
    private final Conv2d box;

    ShapeDetector(int width, int numClasses, Generator g) {
        int[] widths = {width, 2 * width, 2 * width, 4 * width, 4 * width};
        int[] strides = {1, 2, 1, 2, 1};
        List<Layer> layers = new ArrayList<>();
        int in = 1;
        for (int k = 0; k < widths.length; k++) {
            layers.add(new Conv2d(in, widths[k], 3, strides[k], 1, 1, 1, false, g));   // the norm's shift is the bias
            layers.add(new BatchNorm2d(widths[k]));
            layers.add(new ReLU());
            in = widths[k];
        }
        backbone = registerModule("backbone", new Sequential(layers.toArray(new Layer[0])));
        head = registerModule("head", new Sequential(new Conv2d(in, in, 3, 1, 1, g), new ReLU()));
        classes = registerModule("classes", new Conv2d(in, numClasses, 1, 1, 0, g));
        box = registerModule("box", new Conv2d(in, 4, 1, 1, 0, g));
        Init.constant(classes.bias(), -Math.log((1 - PRIOR) / PRIOR));
    }

    Output forward(Tensor x) {
        Tensor h = head.forward(backbone.forward(x));              // (N, 4w, S/4, S/4)
        return new Output(classes.forward(h), box.forward(h).exp().mul(STRIDE));
    }
}
