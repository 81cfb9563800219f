package dev.kiln.cli.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The synthetic shapes: the twin's very images, their boxes' rules, and FCOS's target assignment on them. */
class ShapesTest {
    private static final int SIZE = 48;

    private static List<List<Integer>> boxes(Shapes data, int image) {
        return Arrays.stream(data.boxes(image)).map(b -> List.of(b.label(), b.x1(), b.y1(), b.x2(), b.y2()))
                .collect(Collectors.toList());
    }

    private static double pixelSum(Shapes data, int image) {
        double sum = 0;
        float[] px = data.images().images();
        for (int p = image * SIZE * SIZE; p < (image + 1) * SIZE * SIZE; p++) {
            sum += px[p];
        }
        return sum;
    }

    /**
     * Seed 42's images are the twin's, to the bit: the values below are printed by
     * /usr/bin/python3 -c "import sys; sys.path.insert(0, 'scripts/workloads'); import detect;
     * x, b = detect.shapes(42, 3, 48); print([t.tolist() for t in b]); print(x[0].double().sum().item(),
     * x[2, 0, 47, 45:48].tolist(), x[1, 0, 20, 20].item()); xv, bv = detect.shapes(~42, 2, 48);
     * print([t.tolist() for t in bv]); print(xv[1].double().sum().item())"
     * (boxes as label, x1, y1, x2, y2; label 0 a rectangle, 1 an ellipse).
     */
    @Test
    void theTwinDrawsTheSameImages() {
        Shapes train = Shapes.generate(42, 3, SIZE);
        assertEquals(List.of(List.of(0, 32, 8, 44, 16), List.of(0, 16, 20, 32, 30), List.of(1, 19, 3, 29, 12)), boxes(train, 0));
        assertEquals(List.of(List.of(1, 3, 20, 14, 28), List.of(0, 16, 22, 33, 42)), boxes(train, 1));
        assertEquals(List.of(List.of(1, 33, 16, 41, 36)), boxes(train, 2));
        assertEquals(349.39291199540094, pixelSum(train, 0), 1e-9);
        float[] px = train.images().images();
        int last = 2 * SIZE * SIZE + 47 * SIZE;
        assertArrayEquals(new float[] {0.31249335408210754f, 0.30565163493156433f, 0.33104607462882996f},
                Arrays.copyOfRange(px, last + 45, last + 48));
        assertEquals(0.20073626935482025f, px[SIZE * SIZE + 20 * SIZE + 20]);
        Shapes validation = Shapes.generate(~42L, 2, SIZE);
        assertEquals(List.of(List.of(1, 6, 3, 17, 13)), boxes(validation, 0));
        assertEquals(List.of(List.of(1, 25, 26, 41, 38), List.of(0, 16, 14, 32, 24), List.of(0, 0, 34, 19, 45),
                List.of(1, 8, 0, 21, 10)), boxes(validation, 1));
        assertEquals(738.0673067340394, pixelSum(validation, 1), 1e-9);
    }

    /**
     * 200 images (seed 7; the twin counts 509 objects): 1 to 4 objects each, both classes, sides 8 to 20 inside the
     * image, no two boxes overlapping; a rectangle's pixels are its value plus noise of at most 0.15 throughout, an
     * ellipse leaves its box's corners to the background.
     */
    @Test
    void objectsFollowTheDrawingRules() {
        Shapes data = Shapes.generate(7, 200, SIZE);
        int objects = 0;
        int[] perClass = new int[2];
        float[] px = data.images().images();
        for (int i = 0; i < data.count(); i++) {
            Shapes.Box[] b = data.boxes(i);
            assertTrue(b.length >= 1 && b.length <= Shapes.MAX_OBJECTS, "image " + i);
            objects += b.length;
            for (int k = 0; k < b.length; k++) {
                perClass[b[k].label()]++;
                int w = b[k].x2() - b[k].x1();
                int h = b[k].y2() - b[k].y1();
                assertTrue(w >= 8 && w <= 20 && h >= 8 && h <= 20 && b[k].x1() >= 0 && b[k].y1() >= 0 && b[k].x2() <= SIZE
                        && b[k].y2() <= SIZE, b[k].toString());
                for (int o = 0; o < k; o++) {
                    assertFalse(b[k].overlaps(b[o]), b[k] + " " + b[o]);
                }
                int at = i * SIZE * SIZE;
                float corner = px[at + b[k].y1() * SIZE + b[k].x1()];
                float centre = px[at + (b[k].y1() + h / 2) * SIZE + b[k].x1() + w / 2];
                float outside = px[at + outside(b)];
                // pixels of one level differ by the noise alone, at most NOISE
                assertEquals(b[k].label() == 0 ? centre : outside, corner, Shapes.NOISE + 1e-6, b[k].toString());
            }
        }
        assertEquals(509, objects);
        assertTrue(perClass[0] > 200 && perClass[1] > 200, Arrays.toString(perClass));
    }

    /** The first pixel (row-major) in no box: the background. */
    private static int outside(Shapes.Box[] boxes) {
        for (int p = 0; ; p++) {
            int x = p % SIZE;
            int y = p / SIZE;
            if (Arrays.stream(boxes).noneMatch(b -> b.x1() <= x && x < b.x2() && b.y1() <= y && y < b.y2())) {
                return p;
            }
        }
    }

    /**
     * FCOS's centre sampling in a 32-pixel image (stride 4: locations at pixels 2, 6, ..., 30). Box B = (8, 8, 16, 16)
     * has centre 12: its region (max(8, 12 - 6), min(16, 12 + 6)) = (8, 16) holds the locations at 10 and 14, columns
     * and rows 2 and 3. Box A = (0, 0, 32, 32) has centre 16: its region (10, 22) holds 14 and 18, rows and columns 3
     * and 4. Location (3, 3) lies in both and goes to B, the smaller.
     */
    @Test
    void centreSamplingAssignsTheSmallestBox() {
        Shapes.Box a = new Shapes.Box(0, 0, 0, 32, 32);
        Shapes.Box b = new Shapes.Box(1, 8, 8, 16, 16);
        int[] owner = FcosTargets.assign(new Shapes.Box[] {a, b}, 8, 4);
        int[] expected = new int[64];
        Arrays.fill(expected, -1);
        for (int[] at : new int[][] {{2, 2}, {2, 3}, {3, 2}, {3, 3}}) {
            expected[at[0] * 8 + at[1]] = 1;
        }
        for (int[] at : new int[][] {{3, 4}, {4, 3}, {4, 4}}) {
            expected[at[0] * 8 + at[1]] = 0;
        }
        assertArrayEquals(expected, owner);
    }

    /** A batch's targets: one class per positive, flat positions (image, location) in order, each with its image's box. */
    @Test
    void batchTargetsListThePositivesInOrder() {
        Shapes data = Shapes.generate(42, 3, SIZE);
        FcosTargets.Batch t = FcosTargets.of(data, new long[] {2, 0}, 4, Device.CPU);
        assertArrayEquals(new int[] {2, 2, 12, 12}, t.classes().shape());
        assertEquals(t.count(), (int) t.classes().sum().item());
        long[] positives = t.positives().toLongArray();
        float[] boxes = t.boxes().toFloatArray();
        int[] owner2 = FcosTargets.assign(data.boxes(2), 12, 4);
        long inImage2 = Arrays.stream(owner2).filter(o -> o >= 0).count();
        assertEquals(6, inImage2);   // the 8 x 20 ellipse: 2 columns by 3 rows of its centre region
        for (int p = 0; p < positives.length; p++) {
            assertTrue(p == 0 || positives[p] > positives[p - 1]);
            int image = positives[p] < 144 ? 2 : 0;
            Shapes.Box box = data.boxes(image)[FcosTargets.assign(data.boxes(image), 12, 4)[(int) (positives[p] % 144)]];
            assertArrayEquals(new float[] {box.x1(), box.y1(), box.x2(), box.y2()}, Arrays.copyOfRange(boxes, 4 * p, 4 * p + 4));
        }
    }

    /**
     * Decoding a hand-made 2 x 2 map of an 8-pixel image (locations at (2, 2), (6, 2), (2, 6), (6, 6)): location 0's
     * distances (2, 2, 6, 2) and location 1's (6, 2, 2, 2) give the same box (0, 0, 8, 4); location 3's (2, 2, 10, 2)
     * reaches x = 16 and is clipped to 8. Scores: location 3 class 1 sigmoid(3), location 0 class 0 sigmoid(2),
     * location 1 class 0 sigmoid(1) (suppressed by location 0: the same box and class) and class 1 sigmoid(0) = 0.5
     * (kept: another class); logits of -10 score 4.5e-5, under the threshold.
     */
    @Test
    void decodingKeepsTheBestBoxOfEachClassAndClips() {
        Tensor distances = Tensor.fromArray(new float[] {2, 6, 2, 2, 2, 2, 2, 2, 6, 2, 2, 10, 2, 2, 2, 2}, 1, 4, 2, 2);
        Tensor logits = Tensor.fromArray(new float[] {2, 1, -10, -10, -10, 0, -10, 3}, 1, 2, 2, 2);
        Tensor boxes = FcosDecoder.boxes(distances, 4);
        assertArrayEquals(new float[] {0, 0, 8, 4, 0, 0, 8, 4, 0, 4, 4, 8, 4, 4, 16, 8}, boxes.toFloatArray());
        var d = FcosDecoder.detections(logits, boxes, 8).get(0);
        assertArrayEquals(new float[] {4, 4, 8, 8, 0, 0, 8, 4, 0, 0, 8, 4}, d.boxes().toFloatArray());
        assertArrayEquals(new long[] {1, 0, 1}, d.labels().toLongArray());
        float[] expected = {(float) (1 / (1 + Math.exp(-3))), (float) (1 / (1 + Math.exp(-2))), 0.5f};
        assertArrayEquals(expected, d.scores().toFloatArray(), 1e-6f);
    }

    /** The detector's heads on a 16-pixel image: a 4 x 4 map, distances positive, every score near the 0.01 prior. */
    @Test
    void detectorStartsAtThePrior() {
        ShapeDetector net = new ShapeDetector(4, 2, new Generator(1));
        ShapeDetector.Output o = net.forward(Tensor.rand(new Generator(2), 2, 1, 16, 16));
        assertArrayEquals(new int[] {2, 2, 4, 4}, o.logits().shape());
        assertArrayEquals(new int[] {2, 4, 4, 4}, o.distances().shape());
        assertTrue(o.distances().min().item() > 0);
        assertEquals(ShapeDetector.PRIOR, o.logits().sigmoid().mean().item(), 0.01);
    }
}
