package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
