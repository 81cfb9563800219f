package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.concat;
import static dev.kiln.cli.KilnRuns.kiln;
import static dev.kiln.cli.KilnRuns.metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kiln run` workloads on a synthetic slice: their files, --resume, cuda-emu against the cpu, and bad arguments. */
class WorkloadRunTest {
    @TempDir
    Path tmp;

    private String[] multitask(Path data, String... more) {
        return concat(new String[] {"run", "multitask", "--batch-size", "20", "--seed", "3", "--data", data.toString(),
            "--no-progress"}, more);
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 200, 60);
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        kiln(0, multitask(data, "--epochs", "2", "--device", "cpu", "--out", whole.toString()));
        kiln(0, multitask(data, "--epochs", "1", "--device", "cpu", "--out", parts.toString()));
        kiln(0, multitask(data, "--epochs", "2", "--device", "cpu", "--resume", parts.toString()));
        List<String> rows = metrics(whole);
        assertEquals("epoch,class_loss,upper_loss,mean_cosine,conflict_fraction,test_class_accuracy,test_upper_accuracy",
                rows.get(0));
        assertEquals(3, rows.size());
        assertEquals(rows, metrics(parts));
        // 10 steps per epoch: fractional epoch, both losses and the cosine of each
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        assertEquals(21, Files.readAllLines(whole.resolve("steps.csv")).size());
        assertTrue(Files.size(whole.resolve("conflict.png")) > 1000);
        String err = kiln(2, multitask(data, "--epochs", "3", "--pcgrad", "--resume", parts.toString()));
        assertTrue(err.contains("holds a multitask run, not a multitask-pcgrad one"), err);
    }

    /** Per-task gradients, PCGrad's projections and both heads on the CUDA backend give the CPU's figures. */
    @Test
    void pcgradOnCudaEmuMatchesTheCpu() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 60, 30);
        Path cpu = tmp.resolve("cpu");
        Path emu = tmp.resolve("emu");
        kiln(0, multitask(data, "--epochs", "1", "--pcgrad", "--device", "cpu", "--out", cpu.toString()));
        kiln(0, multitask(data, "--epochs", "1", "--pcgrad", "--device", "cuda-emu", "--out", emu.toString()));
        assertSameMetrics(cpu, emu, 3);                 // the losses and the mean cosine
    }

    /** The VAE's ELBO terms on cuda-emu equal the cpu's; its three picture grids are written, and it resumes. */
    @Test
    void vaeOnCudaEmuMatchesTheCpuAndResumes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 60, 30);
        String[] common = {"run", "vae", "--batch-size", "20", "--seed", "3", "--data", data.toString(), "--no-progress"};
        Path cpu = tmp.resolve("cpu");
        Path emu = tmp.resolve("emu");
        kiln(0, concat(common, "--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
        kiln(0, concat(common, "--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
        assertEquals("epoch,loss,reconstruction,kl,test_loss,test_reconstruction,test_kl", metrics(cpu).get(0));
        assertSameMetrics(cpu, emu, 6);
        for (String picture : List.of("reconstructions.png", "samples.png", "interpolation.png")) {
            assertTrue(Files.size(cpu.resolve(picture)) > 500, picture);
        }
        kiln(0, concat(common, "--epochs", "2", "--device", "cpu", "--resume", cpu.toString()));
        assertEquals(3, metrics(cpu).size());
    }

    /** The GAN's losses on cuda-emu equal the cpu's after a few steps of both players; its pictures are written. */
    @Test
    void ganOnCudaEmuMatchesTheCpu() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 60, 30);
        String[] common = {"run", "gan", "--batch-size", "20", "--seed", "3", "--data", data.toString(), "--no-progress",
            "--epochs", "1"};
        Path cpu = tmp.resolve("cpu");
        Path emu = tmp.resolve("emu");
        kiln(0, concat(common, "--device", "cpu", "--out", cpu.toString()));
        kiln(0, concat(common, "--device", "cuda-emu", "--out", emu.toString()));
        assertEquals("epoch,loss_d,loss_g,d_real,d_fake", metrics(cpu).get(0));
        assertSameMetrics(cpu, emu, 4);
        assertTrue(Files.size(cpu.resolve("samples.png")) > 500 && Files.size(cpu.resolve("losses.png")) > 500);
    }

    /** The first epoch's first `columns` metrics of two runs agree to 1e-4: float32 sums in another order only. */
    private static void assertSameMetrics(Path cpu, Path emu, int columns) throws Exception {
        assertSameMetrics(cpu, emu, 1, columns);
    }

    /** Epoch {@code epoch}'s first `columns` metrics of two runs agree to 1e-4. */
    private static void assertSameMetrics(Path cpu, Path emu, int epoch, int columns) throws Exception {
        String[] c = metrics(cpu).get(epoch).split(",");
        String[] e = metrics(emu).get(epoch).split(",");
        for (int column = 1; column <= columns; column++) {
            double expected = Double.parseDouble(c[column]);
            assertEquals(expected, Double.parseDouble(e[column]), 1e-4 * Math.abs(expected), "column " + column);
        }
    }

    /** DDPM's training and test noise losses on cuda-emu equal the cpu's over a short chain; it samples, and resumes. */
    @Test
    void ddpmOnCudaEmuMatchesTheCpuAndResumes() throws Exception {
        Path data = IdxFixtures.dataset(tmp.resolve("data"), 40, 20);
        String[] common = {"run", "ddpm", "--timesteps", "10", "--batch-size", "20", "--seed", "3", "--data", data.toString(),
            "--no-progress"};
        Path cpu = tmp.resolve("cpu");
        Path emu = tmp.resolve("emu");
        kiln(0, concat(common, "--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
        kiln(0, concat(common, "--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
        assertEquals("epoch,loss,test_loss", metrics(cpu).get(0));
        assertSameMetrics(cpu, emu, 2);
        assertTrue(Files.size(cpu.resolve("samples.png")) > 500 && Files.size(cpu.resolve("chain.png")) > 500);
        kiln(0, concat(common, "--epochs", "2", "--device", "cpu", "--resume", cpu.toString()));
        assertEquals(3, metrics(cpu).size());
        String err = kiln(2, "run", "ddpm", "--schedule", "cosine", "--timesteps", "10", "--epochs", "3", "--data",
                data.toString(), "--resume", cpu.toString());
        assertTrue(err.contains("holds a ddpm-linear-10 run, not a ddpm-cosine-10 one"), err);
        err = kiln(2, "run", "ddpm", "--schedule", "quadratic", "--data", data.toString());
        assertTrue(err.contains("'quadratic' is not one of linear, cosine"), err);
    }

    /**
     * The character LSTM (truncated BPTT: the state carried over chunks) and transformer on cuda-emu equal the cpu; the
     * LSTM resumes exactly, and writes its samples and curve.
     */
    @Test
    void charlmOnCudaEmuMatchesTheCpuAndResumes() throws Exception {
        Path data = FortuneFixtures.write(tmp.resolve("fortunes"), 40);
        for (String model : List.of("lstm", "transformer")) {
            String[] common = {"run", "charlm", "--model", model, "--bptt", "16", "--batch-size", "4", "--seed", "3", "--data",
                data.toString(), "--no-progress", "--limit-train", "6", "--limit-test", "2", "--sample-bytes", "24"};
            Path cpu = tmp.resolve(model + "-cpu");
            Path emu = tmp.resolve(model + "-emu");
            kiln(0, concat(common, "--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
            kiln(0, concat(common, "--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
            assertEquals("epoch,loss,val_loss,val_perplexity", metrics(cpu).get(0));
            assertSameMetrics(cpu, emu, 3);
            String samples = Files.readString(cpu.resolve("samples.txt"));
            assertTrue(samples.startsWith("=== temperature 0.5, after epoch 1 ===") && samples.contains("temperature 1.0"),
                    samples);
            assertTrue(Files.size(cpu.resolve("perplexity.png")) > 500);
        }
        String[] lstm = {"run", "charlm", "--bptt", "16", "--batch-size", "4", "--seed", "3", "--data", data.toString(),
            "--no-progress", "--limit-train", "6", "--limit-test", "2", "--epochs", "2", "--device", "cpu", "--sample-bytes", "24"};
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("lstm-cpu");
        kiln(0, concat(lstm, "--out", whole.toString()));
        kiln(0, concat(lstm, "--resume", parts.toString()));
        assertEquals(metrics(whole), metrics(parts));
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        assertEquals(Files.readString(whole.resolve("samples.txt")), Files.readString(parts.resolve("samples.txt")));
        String err = kiln(2, "run", "charlm", "--model", "gru", "--data", data.toString());
        assertTrue(err.contains("--model gru: expected lstm or transformer"), err);
        err = kiln(2, "run", "charlm", "--model", "transformer", "--bptt", "16", "--epochs", "3", "--data", data.toString(),
                "--resume", parts.toString());
        assertTrue(err.contains("holds a charlm-lstm-16 run, not a charlm-transformer-16 one"), err);
    }

    /** Text classification of the fixture's categories, 8 training fortunes cut to 16 bytes, batches of 4. */
    private static String[] textcls(Path data, String model, String categories, String... more) {
        return concat(new String[] {"run", "textcls", "--model", model, "--categories", categories, "--max-length", "16",
            "--batch-size", "4", "--limit-train", "8", "--seed", "3", "--data", data.toString(), "--no-progress"}, more);
    }

    /**
     * The bidirectional LSTM and GRU over padded batches of different lengths (embedding, the per-sequence final steps
     * gathered, clipping, Adam) on cuda-emu equal the cpu; the confusion matrix and pictures are written.
     */
    @Test
    void textclsOnCudaEmuMatchesTheCpu() throws Exception {
        Path data = FortuneFixtures.write(tmp.resolve("fortunes"), 40);
        for (String model : List.of("lstm", "gru")) {
            Path cpu = tmp.resolve(model + "-cpu");
            Path emu = tmp.resolve(model + "-emu");
            kiln(0, textcls(data, model, "science,art", "--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
            kiln(0, textcls(data, model, "science,art", "--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
            assertEquals("epoch,loss,val_loss,val_accuracy,val_balanced_accuracy", metrics(cpu).get(0));
            assertSameMetrics(cpu, emu, 4);
            List<String> confusion = Files.readAllLines(cpu.resolve("confusion.csv"));
            assertEquals(List.of("true\\predicted,science,art"), confusion.subList(0, 1));
            long validation = confusion.stream().skip(1).flatMap(l -> Arrays.stream(l.split(",")).skip(1))
                    .mapToLong(Long::parseLong).sum();
            assertEquals(8, validation);   // every tenth of 40 fortunes in each of two files
            assertTrue(Files.size(cpu.resolve("confusion.png")) > 1000 && Files.size(cpu.resolve("accuracy.png")) > 1000);
        }
    }

    /** A text classifier resumed after epoch 1 ends where an uninterrupted one does; bad options are refused. */
    @Test
    void textclsResumesExactlyAndRefusesBadArguments() throws Exception {
        Path data = FortuneFixtures.write(tmp.resolve("fortunes"), 40);
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        kiln(0, textcls(data, "gru", "science,art", "--epochs", "2", "--device", "cpu", "--out", whole.toString()));
        kiln(0, textcls(data, "gru", "science,art", "--epochs", "1", "--device", "cpu", "--out", parts.toString()));
        kiln(0, textcls(data, "gru", "science,art", "--epochs", "2", "--device", "cpu", "--resume", parts.toString()));
        assertEquals(metrics(whole), metrics(parts));
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        assertEquals(Files.readAllLines(whole.resolve("confusion.csv")), Files.readAllLines(parts.resolve("confusion.csv")));
        String err = kiln(2, textcls(data, "lstm", "science,art", "--epochs", "3", "--resume", parts.toString()));
        assertTrue(err.contains("holds a textcls-gru-science+art-16 run, not a textcls-lstm-science+art-16 one"), err);
        err = kiln(2, textcls(data, "gru", "art,science", "--epochs", "3", "--resume", parts.toString()));
        assertTrue(err.contains("not a textcls-gru-art+science-16 one"), err);   // the same classes, other labels
        err = kiln(2, textcls(data, "rnn", "science,art"));
        assertTrue(err.contains("--model rnn: expected lstm or gru"), err);
        err = kiln(2, textcls(data, "lstm", "science,poetry"));
        assertTrue(err.contains("has no fortunes of category poetry"), err);
        err = kiln(2, textcls(data, "lstm", "art,art"));
        assertTrue(err.contains("name two or more different categories"), err);
    }

    /** A 60-node graph (3 communities of 20; 2 labelled nodes each, 10 validation, 44 test) for a few epochs. */
    private static String[] gcn(String model, String... more) {
        return concat(new String[] {"run", "gcn", "--model", model, "--communities", "3", "--community-size", "20", "--p-in",
            "0.3", "--p-out", "0.05", "--labels-per-class", "2", "--validation-nodes", "10", "--seed", "3", "--no-progress"},
                more);
    }

    /**
     * Kipf and Welling's GCN and the polynomial layers (sparse products forward and backward, dropout, two Adams) on
     * cuda-emu equal the cpu over three epochs; the picture is written.
     */
    @Test
    void gcnOnCudaEmuMatchesTheCpu() throws Exception {
        for (String model : List.of("gcn", "poly")) {
            Path cpu = tmp.resolve(model + "-cpu");
            Path emu = tmp.resolve(model + "-emu");
            kiln(0, gcn(model, "--epochs", "3", "--device", "cpu", "--out", cpu.toString()));
            kiln(0, gcn(model, "--epochs", "3", "--device", "cuda-emu", "--out", emu.toString()));
            assertEquals("epoch,loss,val_loss,train_accuracy,val_accuracy,test_accuracy", metrics(cpu).get(0));
            assertEquals(4, metrics(cpu).size());
            for (int epoch = 1; epoch <= 3; epoch++) {
                assertSameMetrics(cpu, emu, epoch, 5);
            }
            assertTrue(Files.size(cpu.resolve("accuracy.png")) > 1000);
            assertEquals(4, Files.readAllLines(cpu.resolve("steps.csv")).size());   // one full-batch step per epoch
        }
    }

    /** A GCN run resumed after epoch 2 ends where an uninterrupted one does; wrong models and options are refused. */
    @Test
    void gcnResumesExactlyAndRefusesBadArguments() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        kiln(0, gcn("poly", "--epochs", "4", "--device", "cpu", "--out", whole.toString()));
        kiln(0, gcn("poly", "--epochs", "2", "--device", "cpu", "--out", parts.toString()));
        kiln(0, gcn("poly", "--epochs", "4", "--device", "cpu", "--resume", parts.toString()));
        assertEquals(metrics(whole), metrics(parts));
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        String err = kiln(2, gcn("gcn", "--epochs", "5", "--resume", parts.toString()));
        assertTrue(err.contains("holds a gcn-poly-2 run, not a gcn one"), err);
        err = kiln(2, gcn("gat"));
        assertTrue(err.contains("--model gat: expected gcn or poly"), err);
        err = kiln(2, gcn("gcn", "--batch-size", "8"));
        assertTrue(err.contains("--batch-size, --data, --limit-train and --limit-test do not apply"), err);
        err = kiln(2, gcn("gcn", "--labels-per-class", "17"));
        assertTrue(err.contains("leave no test node among 60"), err);
    }

    @Test
    void runWithoutAWorkloadListsThem() {
        String err = kiln(2, "run");
        assertTrue(err.contains("name a workload: vae, gan, ddpm, multitask, charlm, gcn, textcls"), err);
    }
}
