package dev.kiln.cli.train;

import dev.kiln.Generator;
import dev.kiln.cli.UserError;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Layer;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.ResidualBlock;
import dev.kiln.nn.Sequential;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The models `kiln` trains on 1x28x28 images with 10 classes, by name. */
public final class Models {
    private static final Map<String, Function<Generator, Layer>> BUILDERS = new LinkedHashMap<>();

    static {
        BUILDERS.put("mlp", Models::mlp);
        BUILDERS.put("lenet", Models::lenet);
        BUILDERS.put("cnn", Models::cnn);
        BUILDERS.put("resnet-small", Models::resnetSmall);
    }

    private Models() {
    }

    public static Iterable<String> names() {
        return BUILDERS.keySet();
    }

    public static Layer create(String name, Generator g) {
        check(name);
        return BUILDERS.get(name).apply(g);
    }

    /** Throws a {@link UserError} listing the valid names unless name is one of them. */
    public static void check(String name) {
        if (!BUILDERS.containsKey(name)) {
            throw new UserError("unknown model '" + name + "' (valid: " + String.join(", ", names()) + ")");
        }
    }

    /** Which model's parameter names and shapes a saved state matches exactly (strict load, as PyTorch's). */
    public static String recognise(Map<String, dev.kiln.Tensor> state, java.nio.file.Path file) {
        for (String name : names()) {
            Layer m = create(name, new Generator(0));
            try {
                m.loadStateDict(state);
                return name;
            } catch (IllegalArgumentException e) {
                // not this architecture; try the next
            }
        }
        throw new UserError(file + ": its tensors match none of the models (" + String.join(", ", names()) + ")");
    }

    static Layer mlp(Generator g) {
        return new Sequential(new Flatten(), new Linear(784, 256, g), new ReLU(), new Linear(256, 128, g), new ReLU(),
                new Linear(128, 10, g));
    }

    /** LeCun's LeNet-5 with ReLU and max pooling (padding 2 on the first conv keeps 28x28 -> 5x5x16). */
    static Layer lenet(Generator g) {
        return new Sequential(new Conv2d(1, 6, 5, 1, 2, g), new ReLU(), new MaxPool2d(2), new Conv2d(6, 16, 5, 1, 0, g),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(400, 120, g), new ReLU(), new Linear(120, 84, g),
                new ReLU(), new Linear(84, 10, g));
    }

    /** Two 3x3 conv blocks then two linear layers: the default, past 90% in the first epochs. */
    static Layer cnn(Generator g) {
        return new Sequential(new Conv2d(1, 32, 3, 1, 1, g), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3, 1, 1, g),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64 * 7 * 7, 128, g), new ReLU(),
                new Linear(128, 10, g));
    }

    /** A stem conv and three basic residual blocks (16, 32, 64 channels), global average pool, linear. */
    static Layer resnetSmall(Generator g) {
        return new Sequential(new Conv2d(1, 16, 3, 1, 1, 1, 1, false, g), new BatchNorm2d(16), new ReLU(),
                ResidualBlock.basic(16, 16, 1, g), ResidualBlock.basic(16, 32, 2, g), ResidualBlock.basic(32, 64, 2, g),
                new AdaptiveAvgPool2d(1, 1), new Flatten(), new Linear(64, 10, g));
    }
}
