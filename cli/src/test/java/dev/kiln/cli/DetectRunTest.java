package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.concat;
import static dev.kiln.cli.KilnRuns.kiln;
import static dev.kiln.cli.KilnRuns.metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kiln run detect` on a tiny set of 16-pixel images: cuda-emu against the cpu, --resume, its files, bad arguments. */
class DetectRunTest {
    @TempDir
    Path tmp;

    /** 24 training images (3 batches of 8) and 8 validation images of 16 x 16 pixels, a backbone 4 channels wide. */
    private static String[] detect(String... more) {
        return concat(new String[] {"run", "detect", "--train-size", "24", "--val-size", "8", "--image-size", "16", "--width",
            "4", "--batch-size", "8", "--seed", "3", "--no-progress"}, more);
    }

    /**
     * Convolutions, batch norm, the exp of the distances, the focal and GIoU losses over gathered positives and Adam on
     * the CUDA backend give the cpu's losses (float32 sums in another order only); the pictures are written.
     */
    @Test
    void detectOnCudaEmuMatchesTheCpu() throws Exception {
        Path cpu = tmp.resolve("cpu");
        Path emu = tmp.resolve("emu");
        kiln(0, detect("--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
        kiln(0, detect("--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
        assertEquals("epoch,loss,cls_loss,box_loss,val_map,val_map50,val_map75", metrics(cpu).get(0));
        String[] c = metrics(cpu).get(1).split(",");
        String[] e = metrics(emu).get(1).split(",");
        for (int column = 1; column <= 3; column++) {
            double expected = Double.parseDouble(c[column]);
            assertEquals(expected, Double.parseDouble(e[column]), 1e-4 * Math.abs(expected), "column " + column);
        }
        assertEquals(4, Files.readAllLines(cpu.resolve("steps.csv")).size());   // header, 3 steps
        assertTrue(Files.size(cpu.resolve("map.png")) > 1000 && Files.size(cpu.resolve("detections.png")) > 1000);
    }

    /**
     * A run resumed after epoch 1 ends where an uninterrupted one does (every metric and step's losses); another
     * width or image size is refused by the run's name.
     */
    @Test
    void detectResumesExactly() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        kiln(0, detect("--epochs", "2", "--device", "cpu", "--out", whole.toString()));
        kiln(0, detect("--epochs", "1", "--device", "cpu", "--out", parts.toString()));
        kiln(0, detect("--epochs", "2", "--device", "cpu", "--resume", parts.toString()));
        assertEquals(3, metrics(whole).size());
        assertEquals(metrics(whole), metrics(parts));
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        String err = kiln(2, detect("--epochs", "3", "--width", "8", "--resume", parts.toString()));
        assertTrue(err.contains("holds a detect-16px-w4 run, not a detect-16px-w8 one"), err);
        err = kiln(2, detect("--epochs", "3", "--image-size", "20", "--resume", parts.toString()));
        assertTrue(err.contains("not a detect-20px-w4 one"), err);
    }

    @Test
    void detectRefusesBadArguments() {
        String err = kiln(2, detect("--image-size", "30"));
        assertTrue(err.contains("--image-size 30: expected a multiple of 4 from 16 to 256"), err);
        err = kiln(2, detect("--train-size", "0"));
        assertTrue(err.contains("--train-size 0 and --val-size 8: both must be >= 1"), err);
        err = kiln(2, detect("--width", "0"));
        assertTrue(err.contains("--width 0: must be >= 1"), err);
        err = kiln(2, detect("--limit-train", "10"));
        assertTrue(err.contains("--data, --limit-train and --limit-test do not apply"), err);
        err = kiln(2, "run");
        assertTrue(err.contains("name a workload: ") && err.contains(", detect"), err);
    }
}
