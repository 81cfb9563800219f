package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.Device;
import dev.kiln.spi.Backends;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gives exit code 2 and a message a person can act on. */
class BadInputTest {
    @TempDir
    Path tmp;

    /** Runs kiln train on data, expecting exit code 2; returns what it printed on stderr. */
    private String trainFails(Path data, String... extra) {
        String[] args = {"train", "--epochs", "1", "--device", "cpu", "--no-progress", "--data", data.toString(), "--out",
                tmp.resolve("run").toString()};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        StringWriter err = new StringWriter();
        assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(err, true), all), err.toString());
        return err.toString();
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in: " + text);
        }
    }

    @Test
    void missingDataset_namesTheAptCommandAndDataOption() {
        String err = trainFails(tmp.resolve("nowhere"));
        assertContains(err, "apt-get install -y dataset-fashion-mnist", "--data", "train-images-idx3-ubyte.gz");
    }

    @Test
    void truncatedGz_namesTheFile() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path images = data.resolve(IdxFixtures.TRAIN_IMAGES);
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length / 2));
        assertContains(trainFails(data), images.toString(), "truncated");
    }

    @Test
    void wrongMagic_namesTheFileAndBothNumbers() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path images = data.resolve(IdxFixtures.TRAIN_IMAGES);
        IdxFixtures.gz(images, IdxFixtures.idx(0x801, new int[] {50}, new byte[50]));
        assertContains(trainFails(data), images.toString(), "wrong magic number 0x00000801", "0x00000803");
    }

    @Test
    void countMismatch_namesBothFilesAndCounts() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path labels = data.resolve(IdxFixtures.TRAIN_LABELS);
        IdxFixtures.gz(labels, IdxFixtures.idx(0x801, new int[] {49}, new byte[49]));
        assertContains(trainFails(data), "count mismatch", labels.toString(), "50 images", "49 labels");
    }

    @Test
    void unknownModel_listsTheValidOnes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        assertContains(trainFails(data, "--model", "vgg"), "unknown model 'vgg'", "mlp", "lenet", "resnet-small");
    }

    @Test
    void precisionKilnCannotRun_saysWhyAndListsTheValidOnes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        assertContains(trainFails(data, "--precision", "fp8"), "--precision fp8", "fp32, bf16 or fp16");
        assertContains(trainFails(data, "--precision", "tf32"), "no TF32 kernels yet");
    }

    @Test
    void unknownDevice_listsTheValidOnes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        assertContains(trainFails(data, "--device", "tpu"), "unknown device 'tpu'", "cpu", "cuda", "cuda-emu");
    }

    @Test
    void cudaWithoutAGpu_saysWhy_elseResolvesToIt() throws Exception {
        if (Backends.isAvailable(Device.Type.CUDA, 0)) {
            assertEquals(Device.cuda(), Devices.resolve("cuda"));
        } else {
            Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
            assertContains(trainFails(data, "--device", "cuda"), "device cuda cannot be used", "no usable GPU", "--device cpu");
            UserError e = assertThrows(UserError.class, () -> Devices.resolve("cuda"));
            assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        }
    }

    @Test
    void negativeLimit_isRefused_notReadAsAll() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        assertContains(trainFails(data, "--limit-train", "-5"), "--limit-train", "-5", ">= 0");
        assertFalse(Files.exists(tmp.resolve("run")), "nothing is created");
    }

    @Test
    void emptyTrainOrTestSet_isRefused_namingTheFile() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        IdxFixtures.gz(data.resolve(IdxFixtures.TEST_IMAGES), IdxFixtures.idx(0x803, new int[] {0, 28, 28}, new byte[0]));
        IdxFixtures.gz(data.resolve(IdxFixtures.TEST_LABELS), IdxFixtures.idx(0x801, new int[] {0}, new byte[0]));
        assertContains(trainFails(data), data.resolve(IdxFixtures.TEST_IMAGES).toString(), "holds no images");
        IdxFixtures.gz(data.resolve(IdxFixtures.TRAIN_IMAGES), IdxFixtures.idx(0x803, new int[] {0, 28, 28}, new byte[0]));
        IdxFixtures.gz(data.resolve(IdxFixtures.TRAIN_LABELS), IdxFixtures.idx(0x801, new int[] {0}, new byte[0]));
        assertContains(trainFails(data), data.resolve(IdxFixtures.TRAIN_IMAGES).toString(), "holds no images");
    }

    @Test
    void idxDimensionsWhoseProductOverflows_areRefused() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path images = data.resolve(IdxFixtures.TRAIN_IMAGES);
        // 2^21 * 2^21 * 2^22 = 2^64, which wraps to 0 bytes in a long
        IdxFixtures.gz(images, IdxFixtures.idx(0x803, new int[] {1 << 21, 1 << 21, 1 << 22}, new byte[0]));
        assertContains(trainFails(data), images.toString(), "corrupt header", "too large");
    }

    @Test
    void hugeLabelCount_isRefusedFromTheFileSize_beforeAllocating() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path labels = data.resolve(IdxFixtures.TRAIN_LABELS);
        IdxFixtures.gz(labels, IdxFixtures.idx(0x801, new int[] {Integer.MAX_VALUE}, new byte[10]));
        assertContains(trainFails(data), labels.toString(), "corrupt header", "dimension 0 is 2147483647");
        IdxFixtures.gz(labels, IdxFixtures.idx(0x801, new int[] {100_000_000}, new byte[10]));
        assertContains(trainFails(data), labels.toString(), "corrupt header", "100000000 bytes", "holds at most");
    }

    @Test
    void imagesThatAreNot28x28_areRefused_namingTheFile() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path images = data.resolve(IdxFixtures.TRAIN_IMAGES);
        IdxFixtures.gz(images, IdxFixtures.idx(0x803, new int[] {50, 32, 32}, new byte[50 * 32 * 32]));
        assertContains(trainFails(data), images.toString(), "32x32", "28x28");
    }

    @Test
    void outThatIsAFile_orUnderAFile_isRefused_creatingNothing() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertContains(trainFails(data, "--out", file.toString()), "--out", "is a file, not a directory");
        assertContains(trainFails(data, "--out", file.resolve("a/run").toString()), "--out", file.toString(), "is a file");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void outInAReadOnlyDirectory_isRefused() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path ro = Files.createDirectory(tmp.resolve("ro"));
        assertTrue(ro.toFile().setWritable(false, false));
        try {
            assumeFalse(Files.isWritable(ro), "running as root: a read-only directory is still writable for root, so this"
                    + " case cannot be made here (the file and under-a-file cases cover the same check)");
            assertContains(trainFails(data, "--out", ro.resolve("run").toString()), "--out", "not writable");
            assertFalse(Files.exists(ro.resolve("run")));
        } finally {
            ro.toFile().setWritable(true, false);
        }
    }

    @Test
    void resumeFromAMissingDirectory_isRefused_creatingNothing() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        Path missing = tmp.resolve("missing/dir/run");
        StringWriter err = new StringWriter();
        String[] args = {"train", "--epochs", "1", "--device", "cpu", "--no-progress", "--data", data.toString(), "--resume",
            missing.toString()};
        assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(err, true), args), err.toString());
        assertContains(err.toString(), "--resume", missing.toString(), "no checkpoint");
        assertFalse(Files.exists(tmp.resolve("missing")), "nothing is created");
    }

    @Test
    void evalPngToAnUnwritablePlace_isAOneLineError() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 40, 20);
        StringWriter err = new StringWriter();
        assertEquals(0, Kiln.run(new PrintWriter(err, true), "train", "--model", "mlp", "--epochs", "1", "--device", "cpu",
                "--no-progress", "--data", data.toString(), "--out", tmp.resolve("run").toString()), err.toString());
        Path checkpoint = tmp.resolve("run/checkpoint.safetensors");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        for (Path png : new Path[] {file.resolve("c.png"), tmp.resolve("nodir/c.png"), tmp.resolve("run")}) {
            StringWriter e = new StringWriter();
            assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(e, true), "eval", "--checkpoint", checkpoint.toString(),
                    "--data", data.toString(), "--device", "cpu", "--png", png.toString()), e.toString());
            assertContains(e.toString(), "--png", png.toString());
            assertEquals(1, e.toString().strip().lines().count(), "one line, no stack trace: " + e);
        }
    }

    @Test
    void benchSecondsThatAreNotATime_areRefused() {
        for (String seconds : new String[] {"-1", "NaN", "Infinity"}) {
            StringWriter err = new StringWriter();
            assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(err, true), "bench", "--device", "cpu", "--seconds", seconds),
                    err.toString());
            assertContains(err.toString(), "--seconds", seconds);
        }
    }

    @Test
    void threadsOutsideOneToTheCores_areRefused() {
        for (String n : new String[] {"0", "-1", "100000"}) {
            StringWriter err = new StringWriter();
            assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(err, true), "bench", "--threads", n), err.toString());
            assertContains(err.toString(), "--threads must be 1 to", n);
        }
    }

    @Test
    void benchFormatOutsideTheThree_isRefused() {
        StringWriter err = new StringWriter();
        assertEquals(Kiln.USER_ERROR, Kiln.run(new PrintWriter(err, true), "bench", "--format", "xml"), err.toString());
        assertContains(err.toString(), "--format", "table, csv or json", "xml");
    }

    @Test
    void unknownOptimizer_listsTheValidOnes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 50, 20);
        assertContains(trainFails(data, "--optimizer", "lion"), "unknown optimizer 'lion'", "adam", "adamw", "sgd");
    }
}
