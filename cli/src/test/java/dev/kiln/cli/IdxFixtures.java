package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small Fashion-MNIST-shaped IDX gz files: class c is a bright horizontal band at rows
 * 2c..2c+3 over faint noise, so a model learns it within one short epoch.
 */
final class IdxFixtures {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    private IdxFixtures() {
    }

    static Path dataset(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        write(dir, TRAIN_IMAGES, TRAIN_LABELS, train, 1);
        write(dir, TEST_IMAGES, TEST_LABELS, test, 2);
        return dir;
    }

    private static void write(Path dir, String images, String labels, int n, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] px = new byte[n * 28 * 28];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = i % 10;
            lb[i] = (byte) c;
            for (int p = 0; p < 28 * 28; p++) {
                int row = p / 28;
                int v = row >= 2 * c + 4 && row < 2 * c + 8 ? 200 + r.nextInt(56) : r.nextInt(60);
                px[i * 28 * 28 + p] = (byte) v;
            }
        }
        gz(dir.resolve(images), idx(0x803, new int[] {n, 28, 28}, px));
        gz(dir.resolve(labels), idx(0x801, new int[] {n}, lb));
    }

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    static void gz(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }
}
