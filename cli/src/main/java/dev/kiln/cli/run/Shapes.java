package dev.kiln.cli.run;

import dev.kiln.Tensor;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.nn.detection.MeanAveragePrecision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A synthetic detection dataset: grey size x size images holding 1 to {@link #MAX_OBJECTS} filled axis-aligned
 * rectangles and ellipses (the two classes) on a noisy background, with their boxes. Drawn from one {@link SplitMix64}
 * stream in the same order as scripts/workloads/detect.py draws it, so Kiln and the twin see the very same images.
 * Per image, in order: the object count 1 + floor(u * MAX_OBJECTS); the background level BACKGROUND * u; for each
 * object up to TRIES placements (class floor(u * 2), width and height, then x1 and y1, each floor-scaled from one draw)
 * until one overlaps no placed box (boxes may touch), and on success its intensity 0.5 + 0.5 u (an object with no
 * free placement is dropped); finally one draw per pixel, row-major, for the noise NOISE * (u - 0.5) added to every
 * pixel. Sides run from size / 6 to 5 size / 12 pixels (8 to 20 in a 48-pixel image). A box is (x1, y1, x2, y2) in
 * pixel edges: a rectangle fills pixels x1 .. x2 - 1; an ellipse the pixels whose centres lie in the ellipse inscribed
 * in its box (tested in integers, so both languages agree exactly).
 */
final class Shapes {
    static final List<String> CLASSES = List.of("rectangle", "ellipse");
    static final int MAX_OBJECTS = 4;
    static final int TRIES = 10;
    static final double BACKGROUND = 0.25;
    static final double NOISE = 0.3;

    /** One object: its class and box in pixel edges. */
    record Box(int label, int x1, int y1, int x2, int y2) {
        int area() {
            return (x2 - x1) * (y2 - y1);
        }

        boolean overlaps(Box o) {
            return x1 < o.x2 && o.x1 < x2 && y1 < o.y2 && o.y1 < y2;
        }
    }

    private final int size;
    private final float[] images;     // (n, 1, size, size) row-major
    private final List<Box[]> boxes;  // per image, in drawing order

    private Shapes(int size, float[] images, List<Box[]> boxes) {
        this.size = size;
        this.images = images;
        this.boxes = boxes;
    }

    /** n images of size x size pixels drawn from SplitMix64(seed). */
    static Shapes generate(long seed, int n, int size) {
        SplitMix64 r = new SplitMix64(seed);
        float[] images = new float[n * size * size];
        List<Box[]> boxes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boxes.add(draw(r, size, images, i * size * size));
        }
        return new Shapes(size, images, boxes);
    }

    /** Draws one image into images at offset; returns its boxes. */
    private static Box[] draw(SplitMix64 r, int size, float[] images, int offset) {
        int count = 1 + (int) (r.nextDouble() * MAX_OBJECTS);
        double background = BACKGROUND * r.nextDouble();
        double[] fill = new double[size * size];
        Arrays.fill(fill, background);
        int min = size / 6;
        int max = 5 * size / 12;
        List<Box> placed = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            for (int attempt = 0; attempt < TRIES; attempt++) {
                int label = (int) (r.nextDouble() * CLASSES.size());
                int w = min + (int) (r.nextDouble() * (max - min + 1));
                int h = min + (int) (r.nextDouble() * (max - min + 1));
                int x1 = (int) (r.nextDouble() * (size - w + 1));
                int y1 = (int) (r.nextDouble() * (size - h + 1));
                Box b = new Box(label, x1, y1, x1 + w, y1 + h);
                if (placed.stream().noneMatch(b::overlaps)) {
                    placed.add(b);
                    paint(fill, size, b, 0.5 + 0.5 * r.nextDouble());
                    break;
                }
            }
        }
        for (int p = 0; p < fill.length; p++) {
            images[offset + p] = (float) (fill[p] + NOISE * (r.nextDouble() - 0.5));
        }
        return placed.toArray(new Box[0]);
    }

    /**
     * Sets the object's pixels to value. Pixel (x, y) lies in the ellipse inscribed in a w x h box when
     * ((2x + 1 - 2 x1 - w) / w)^2 + ((2y + 1 - 2 y1 - h) / h)^2 <= 1, its centre's offset from the box's centre over
     * the half-axes; multiplied out by w^2 h^2 it is a test in longs.
     */
    private static void paint(double[] fill, int size, Box b, double value) {
        long w = b.x2() - b.x1();
        long h = b.y2() - b.y1();
        for (int y = b.y1(); y < b.y2(); y++) {
            for (int x = b.x1(); x < b.x2(); x++) {
                long dx = 2L * x + 1 - 2L * b.x1() - w;
                long dy = 2L * y + 1 - 2L * b.y1() - h;
                if (b.label() == 0 || dx * dx * h * h + dy * dy * w * w <= w * w * h * h) {
                    fill[y * size + x] = value;
                }
            }
        }
    }

    int size() {
        return size;
    }

    int count() {
        return boxes.size();
    }

    Box[] boxes(int image) {
        return boxes.get(image);
    }

    /** The images for {@link dev.kiln.cli.data.Batches}, each labelled with its own index (to look its boxes up). */
    LabeledImages images() {
        long[] index = new long[count()];
        Arrays.setAll(index, i -> i);
        return new LabeledImages(images, index, size, size);
    }

    /** Image i's ground truth for {@link MeanAveragePrecision}: boxes (G, 4) float32 xyxy, labels (G) int64, on the cpu. */
    MeanAveragePrecision.Targets targets(int image) {
        Box[] b = boxes(image);
        float[] xyxy = new float[4 * b.length];
        long[] labels = new long[b.length];
        for (int k = 0; k < b.length; k++) {
            xyxy[4 * k] = b[k].x1();
            xyxy[4 * k + 1] = b[k].y1();
            xyxy[4 * k + 2] = b[k].x2();
            xyxy[4 * k + 3] = b[k].y2();
            labels[k] = b[k].label();
        }
        return new MeanAveragePrecision.Targets(Tensor.fromArray(xyxy, b.length, 4), Tensor.fromArray(labels, b.length));
    }
}
