package dev.kiln.cli.run;

import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.nn.checkpoint.AtomicFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Grey images (N, 1, H, W) with values in [0, 1] as one PNG grid, rows of {@code columns}, written atomically. */
final class ImageGrid {
    private static final int GAP = 2;
    private static final int ZOOM = 2;

    private ImageGrid() {
    }

    static void write(Path file, Tensor images, int columns) throws IOException {
        int n = images.size(0);
        int h = images.size(2);
        int w = images.size(3);
        float[] px = images.detach().to(Device.CPU).contiguous().toFloatArray();
        int rows = (n + columns - 1) / columns;
        BufferedImage img = new BufferedImage(GAP + columns * (w * ZOOM + GAP), GAP + rows * (h * ZOOM + GAP),
                BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < n; i++) {
            int left = GAP + (i % columns) * (w * ZOOM + GAP);
            int top = GAP + (i / columns) * (h * ZOOM + GAP);
            for (int y = 0; y < h * ZOOM; y++) {
                for (int x = 0; x < w * ZOOM; x++) {
                    float v = px[(i * h + y / ZOOM) * w + x / ZOOM];
                    int grey = Math.round(255 * Math.max(0, Math.min(1, v)));
                    img.getRaster().setSample(left + x, top + y, 0, grey);
                }
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        AtomicFile.write(file, png.toByteArray());
    }
}
