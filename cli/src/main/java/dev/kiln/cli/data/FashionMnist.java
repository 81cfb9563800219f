package dev.kiln.cli.data;

import dev.kiln.cli.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Fashion-MNIST from the Debian package's directory (or any directory holding the four IDX gz files). */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot");
    // the training set's pixel mean and standard deviation (on the 0..1 scale), so inputs are centred
    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;
    /** Images are SIDE x SIDE pixels. */
    static final int SIDE = 28;

    private FashionMnist() {
    }

    public static LabeledImages train(Path dir) {
        return load(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz");
    }

    public static LabeledImages test(Path dir) {
        return load(dir, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    }

    private static LabeledImages load(Path dir, String imagesName, String labelsName) {
        Path imagesFile = dir.resolve(imagesName);
        Path labelsFile = dir.resolve(labelsName);
        for (Path f : List.of(imagesFile, labelsFile)) {
            if (!Files.isRegularFile(f)) {
                throw new UserError("Fashion-MNIST not found: " + f + " is missing.\n"
                        + "Install it with:  apt-get install -y dataset-fashion-mnist\n"
                        + "or point --data DIR at a directory holding " + imagesName + " and " + labelsName);
            }
        }
        IdxReader.Idx images = IdxReader.read(imagesFile, IdxReader.IMAGES_MAGIC);
        IdxReader.Idx labels = IdxReader.read(labelsFile, IdxReader.LABELS_MAGIC);
        if (images.dims().length != 3) {
            throw new UserError(imagesFile + ": expected 3 dimensions (count, rows, cols), found " + images.dims().length);
        }
        if (images.dims()[1] != SIDE || images.dims()[2] != SIDE) {
            throw new UserError(imagesFile + ": images are " + images.dims()[1] + "x" + images.dims()[2] + " but the models take "
                    + SIDE + "x" + SIDE + " (Fashion-MNIST's size)");
        }
        if (labels.dims().length != 1) {
            throw new UserError(labelsFile + ": expected 1 dimension (count), found " + labels.dims().length);
        }
        if (images.count() != labels.count()) {
            throw new UserError("count mismatch: " + imagesFile + " holds " + images.count() + " images but "
                    + labelsFile + " holds " + labels.count() + " labels");
        }
        if (images.count() == 0) {
            throw new UserError(imagesFile + ": holds no images (at least one is needed)");
        }
        byte[] px = images.data();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            x[i] = ((px[i] & 0xff) / 255f - MEAN) / STD;
        }
        byte[] lb = labels.data();
        long[] y = new long[lb.length];
        for (int i = 0; i < lb.length; i++) {
            y[i] = lb[i] & 0xff;
            if (y[i] >= CLASSES.size()) {
                throw new UserError(labelsFile + ": label " + y[i] + " at index " + i + " is not a class 0..9");
            }
        }
        return new LabeledImages(x, y, images.dims()[1], images.dims()[2]);
    }
}
