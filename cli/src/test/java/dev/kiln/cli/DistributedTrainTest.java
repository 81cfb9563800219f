package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.cli.data.FashionMnist;
import dev.kiln.cli.train.Evaluation;
import dev.kiln.cli.train.MetricsCsv;
import dev.kiln.cli.train.Models;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.nn.Layer;
import dev.kiln.testing.MpiRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** `mpirun -np 2 kiln train --distributed` on loopback: rank 0 writes a run that one process can load and agree with. */
class DistributedTrainTest {
    @TempDir
    Path tmp;

    private static MpiRun.Result kiln(int ranks, String... args) throws Exception {
        assumeTrue(MpiRun.unavailable() == null, MpiRun.unavailable());
        return MpiRun.run(ranks, 300, List.of(), Kiln.class, args);
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "cuda-emu"})
    void twoRanks_trainOneModel_andRankZeroWritesACheckpointOneProcessLoads(String device) throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 200, 60);
        Path run = tmp.resolve("run");
        MpiRun.Result r = kiln(2, "train", "--distributed", "--model", "mlp", "--epochs", "2", "--batch-size", "10", "--seed",
                "7", "--device", device, "--data", data.toString(), "--out", run.toString(), "--no-progress");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(1, count(r.output(), "training mlp"), r.output());
        assertTrue(r.output().contains("batch 10 per rank"), r.output());
        assertTrue(r.output().contains("2 ranks (mpi: "), r.output());
        assertEquals(1, count(r.output(), "epoch 2/2: "), r.output());

        List<String> csv = Files.readAllLines(run.resolve(MetricsCsv.FILE_NAME));
        assertEquals(3, csv.size(), "header and two epochs: " + csv);
        double testLoss = Double.parseDouble(csv.get(2).split(",")[3]);
        double testAccuracy = Double.parseDouble(csv.get(2).split(",")[4]);
        Layer reloaded = Models.create("mlp", new Generator(99));
        RunCheckpoint.loadModel(run.resolve(RunCheckpoint.FILE_NAME), reloaded);
        Evaluation one = Evaluation.of(reloaded, FashionMnist.test(data), 100, Device.CPU, 10);
        // the ranks' shares of the test set, summed, are the whole test set's metrics
        assertEquals(one.accuracy(), testAccuracy, 1e-6);
        assertEquals(one.loss(), testLoss, 1e-4 * Math.max(1, one.loss()));
    }

    @Test
    void aBadArgument_isReportedOnce_notOncePerRank() throws Exception {
        MpiRun.Result r = kiln(2, "train", "--distributed", "--epochs", "0", "--data", tmp.toString());
        assertTrue(r.exitCode() != 0, r.output());
        assertEquals(1, count(r.output(), "kiln: --epochs must be >= 1, got 0"), r.output());
    }

    @Test
    void anUnreadableCheckpoint_isReportedOnce_andEndsTheJob() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 40, 20);
        Path checkpoint = tmp.resolve("broken.kiln");
        Files.writeString(checkpoint, "not a checkpoint");
        MpiRun.Result r = kiln(2, "train", "--distributed", "--model", "mlp", "--epochs", "2", "--device", "cpu", "--data",
                data.toString(), "--out", tmp.resolve("run").toString(), "--resume", checkpoint.toString(), "--no-progress");
        assertTrue(r.exitCode() != 0, r.output());
        assertEquals(1, count(r.output(), "not a readable safetensors checkpoint"), r.output());
    }
}
