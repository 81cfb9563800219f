package dev.kiln.cli.run;

import dev.kiln.nn.checkpoint.AtomicFile;
import dev.kiln.nn.detection.MeanAveragePrecision.Detections;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * detections.png of `kiln run detect`: the first validation images, enlarged, in a grid; each ground-truth box in green,
 * each detection scoring at least SHOWN_SCORE in its class's colour (rectangles red, ellipses blue), its line's opacity
 * its score.
 */
final class DetectionGrid {
    static final double SHOWN_SCORE = 0.3;
    private static final int COLUMNS = 4;
    private static final int ZOOM = 4;
    private static final int GAP = 4;
    private static final Color TRUTH = new Color(40, 200, 60);
    private static final Color[] CLASS_COLORS = {new Color(230, 40, 40), new Color(40, 110, 255)};

    private DetectionGrid() {
    }

    /** The images 0 .. detections.size() - 1 of data with their boxes and detections (boxes in pixels). */
    static void write(Path file, Shapes data, List<Detections> detections) throws IOException {
        int n = detections.size();
        int side = data.size() * ZOOM;
        int rows = Math.max(1, (n + COLUMNS - 1) / COLUMNS);
        BufferedImage img = new BufferedImage(GAP + COLUMNS * (side + GAP), GAP + rows * (side + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        float[] px = data.images().images();
        for (int i = 0; i < n; i++) {
            int left = GAP + (i % COLUMNS) * (side + GAP);
            int top = GAP + (i / COLUMNS) * (side + GAP);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float v = px[(i * data.size() + y / ZOOM) * data.size() + x / ZOOM];
                    int grey = Math.round(255 * Math.max(0, Math.min(1, v)));
                    img.setRGB(left + x, top + y, grey * 0x010101);
                }
            }
            g.setStroke(new BasicStroke(1));
            g.setColor(TRUTH);
            for (Shapes.Box b : data.boxes(i)) {
                g.drawRect(left + b.x1() * ZOOM, top + b.y1() * ZOOM, (b.x2() - b.x1()) * ZOOM - 1, (b.y2() - b.y1()) * ZOOM - 1);
            }
            float[] boxes = detections.get(i).boxes().toFloatArray();
            float[] scores = detections.get(i).scores().toFloatArray();
            long[] labels = detections.get(i).labels().toLongArray();
            g.setStroke(new BasicStroke(2));
            for (int k = 0; k < scores.length; k++) {
                if (scores[k] >= SHOWN_SCORE) {
                    Color c = CLASS_COLORS[(int) labels[k]];
                    g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.round(255 * scores[k])));
                    int x1 = Math.round(boxes[4 * k] * ZOOM);
                    int y1 = Math.round(boxes[4 * k + 1] * ZOOM);
                    g.drawRect(left + x1, top + y1, Math.round(boxes[4 * k + 2] * ZOOM) - x1 - 1,
                            Math.round(boxes[4 * k + 3] * ZOOM) - y1 - 1);
                }
            }
        }
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        AtomicFile.write(file, png.toByteArray());
    }
}
