package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.data.LabeledImages;
import dev.kiln.cli.train.Evaluation;
import dev.kiln.cli.train.MetricsCsv;
import dev.kiln.cli.train.Models;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.nn.Layer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kiln train` on a 400-image synthetic slice: the loss falls, and the CSV, PNG and checkpoint are written and reload. */
class TrainEndToEndTest {
    @TempDir
    Path tmp;

    private int kiln(String... args) {
        StringWriter err = new StringWriter();
        int rc = Kiln.run(new PrintWriter(err, true), args);
        assertEquals(0, rc, err.toString());
        return rc;
    }

    @Test
    void oneEpoch_lowersTheLoss_writesFilesThatReload_andResumes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 400, 100);
        Path run = tmp.resolve("run");
        LabeledImages test = FashionMnist.test(data);
        // the model as train builds it with --seed 7, before any step
        double lossBefore = Evaluation.of(Models.create("mlp", new Generator(7)), test, 100, Device.CPU, 10).loss();

        kiln("train", "--model", "mlp", "--epochs", "1", "--batch-size", "20", "--seed", "7", "--device", "cpu", "--data",
                data.toString(), "--out", run.toString(), "--no-progress");

        List<String> csv = Files.readAllLines(run.resolve(MetricsCsv.FILE_NAME));
        assertEquals(2, csv.size(), "header and one epoch: " + csv);
        double testLoss = Double.parseDouble(csv.get(1).split(",")[3]);
        double testAccuracy = Double.parseDouble(csv.get(1).split(",")[4]);
        assertTrue(testLoss < 0.5 * lossBefore, "test loss " + testLoss + " vs " + lossBefore + " before training");
        byte[] png = Files.readAllBytes(run.resolve("curves.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));

        Path checkpoint = run.resolve(RunCheckpoint.FILE_NAME);
        Layer reloaded = Models.create("mlp", new Generator(99));
        Map<String, Tensor> saved = RunCheckpoint.loadModel(checkpoint, reloaded);
        assertEquals(1, RunCheckpoint.epoch(saved));
        assertEquals(testAccuracy, Evaluation.of(reloaded, test, 100, Device.CPU, 10).accuracy(), 1e-6);
        assertEquals("mlp", Models.recognise(RunCheckpoint.modelState(saved), checkpoint));

        kiln("train", "--model", "mlp", "--epochs", "2", "--batch-size", "20", "--seed", "7", "--device", "cpu", "--data",
                data.toString(), "--resume", run.toString(), "--no-progress");
        assertEquals(3, Files.readAllLines(run.resolve(MetricsCsv.FILE_NAME)).size());
        List<String> steps = Files.readAllLines(run.resolve("steps.csv"));
        assertEquals(1 + 2 * 400 / 20, steps.size(), "header and every step of both epochs, the resumed run's first");
        assertEquals("epoch,loss", steps.get(0));
        assertTrue(steps.get(20).startsWith("1.000000,") && steps.get(40).startsWith("2.000000,"), steps.get(20));
        if (System.getenv("KILN_KEEP_PLOTS") != null) { // to look at the charts: KILN_KEEP_PLOTS=dir
            Files.copy(run.resolve("curves.png"), Path.of(System.getenv("KILN_KEEP_PLOTS"), "curves.png"));
        }
        assertEquals(2, RunCheckpoint.epoch(RunCheckpoint.read(checkpoint)));

        kiln("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--device", "cpu");
        assertTrue(Files.size(run.resolve("confusion.png")) > 0);
    }

    /** The whole step (conv, pool, loss, backward, fused Adam) on the CUDA backend gives the CPU's numbers. */
    @Test
    void lenetOnCudaEmu_matchesTheCpuRun_andResumesOnTheDevice() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 60, 30);
        String[] common = {"train", "--model", "lenet", "--batch-size", "20", "--seed", "3", "--data", data.toString(),
            "--no-progress"};
        Path cpuRun = tmp.resolve("cpu");
        Path emuRun = tmp.resolve("emu");
        kiln(concat(common, "--epochs", "1", "--device", "cpu", "--out", cpuRun.toString()));
        kiln(concat(common, "--epochs", "1", "--device", "cuda-emu", "--out", emuRun.toString()));
        String[] cpu = Files.readAllLines(cpuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",");
        String[] emu = Files.readAllLines(emuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",");
        for (int column : new int[] {1, 3}) {   // train and test loss: float32 sums in another order only
            assertEquals(Double.parseDouble(cpu[column]), Double.parseDouble(emu[column]),
                    1e-4 * Math.abs(Double.parseDouble(cpu[column])), "metrics column " + column);
        }
        // the optimizer state reloads onto the device
        kiln(concat(common, "--epochs", "2", "--device", "cuda-emu", "--resume", emuRun.toString()));
        assertEquals(2, RunCheckpoint.epoch(RunCheckpoint.read(emuRun.resolve(RunCheckpoint.FILE_NAME))));
    }

    /**
     * --precision bf16 / fp16 (autocast; fp16 with loss scaling): lenet learns as in fp32 (the test loss after one
     * epoch within 5% of fp32's: 1.16 in all three here), on the cpu and on cuda-emu with the cpu's numbers up to the
     * 16-bit roundings; the parameters and optimizer state stay float32.
     */
    @Test
    void mixedPrecisionTrainsAsFp32OnTheCpuAndOnCudaEmu() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 400, 100);
        double fp32 = Double.NaN;
        for (String precision : new String[] {"fp32", "bf16", "fp16"}) {
            Path cpuRun = tmp.resolve("cpu-" + precision);
            kiln("train", "--model", "lenet", "--epochs", "1", "--batch-size", "20", "--seed", "7", "--device", "cpu", "--data",
                    data.toString(), "--out", cpuRun.toString(), "--no-progress", "--precision", precision);
            double loss = Double.parseDouble(Files.readAllLines(cpuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",")[3]);
            if (precision.equals("fp32")) {
                fp32 = loss;
                continue;
            }
            assertEquals(fp32, loss, 0.05 * fp32, precision + " test loss against fp32's");
            Map<String, Tensor> saved = RunCheckpoint.read(cpuRun.resolve(RunCheckpoint.FILE_NAME));
            assertTrue(saved.values().stream().allMatch(t -> !t.dtype().isHalf()), "float32 parameters and state");
            Path emuRun = tmp.resolve("emu-" + precision);
            kiln("train", "--model", "lenet", "--epochs", "1", "--batch-size", "20", "--seed", "7", "--device", "cuda-emu",
                    "--data", data.toString(), "--out", emuRun.toString(), "--no-progress", "--precision", precision);
            double emu = Double.parseDouble(Files.readAllLines(emuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",")[3]);
            assertEquals(loss, emu, 0.02 * loss, precision + " test loss on cuda-emu against the cpu's");
        }
    }

    /** resnet-small's BatchNorm counts batches with a 0-d CPU constant: it used to die at the first batch on a device. */
    @Test
    void resnetSmallOnCudaEmu_matchesTheCpuRun() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 20, 10);
        String[] common = {"train", "--model", "resnet-small", "--epochs", "1", "--batch-size", "10", "--seed", "5",
            "--data", data.toString(), "--no-progress"};
        Path cpuRun = tmp.resolve("cpu");
        Path emuRun = tmp.resolve("emu");
        kiln(concat(common, "--device", "cpu", "--out", cpuRun.toString()));
        kiln(concat(common, "--device", "cuda-emu", "--out", emuRun.toString()));
        String[] cpu = Files.readAllLines(cpuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",");
        String[] emu = Files.readAllLines(emuRun.resolve(MetricsCsv.FILE_NAME)).get(1).split(",");
        for (int column : new int[] {1, 3}) {   // train and test loss
            assertEquals(Double.parseDouble(cpu[column]), Double.parseDouble(emu[column]),
                    1e-4 * Math.abs(Double.parseDouble(cpu[column])), "metrics column " + column);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
