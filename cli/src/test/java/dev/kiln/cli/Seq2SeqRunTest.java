package dev.kiln.cli;

import static dev.kiln.cli.KilnRuns.concat;
import static dev.kiln.cli.KilnRuns.kiln;
import static dev.kiln.cli.KilnRuns.metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kiln run seq2seq` on a few dates: cuda-emu against the cpu for both models, its files, --resume, bad arguments. */
class Seq2SeqRunTest {
    @TempDir
    Path tmp;

    /** 8 training dates in batches of 4, 4 validation dates (the emulator runs each kernel thread by thread). */
    private static String[] seq2seq(String model, String... more) {
        return concat(new String[] {"run", "seq2seq", "--model", model, "--batch-size", "4", "--limit-train", "8",
            "--limit-test", "4", "--seed", "3", "--no-progress"}, more);
    }

    /**
     * The GRU with additive attention and the transformer (embeddings, masked attention over padded sources, the
     * step-by-step decoders, clipping, Adam, greedy decoding) on cuda-emu equal the cpu over an epoch; the files are
     * written.
     */
    @Test
    void bothModelsOnCudaEmuMatchTheCpu() throws Exception {
        for (String model : List.of("gru", "transformer")) {
            Path cpu = tmp.resolve(model + "-cpu");
            Path emu = tmp.resolve(model + "-emu");
            kiln(0, seq2seq(model, "--epochs", "1", "--device", "cpu", "--out", cpu.toString()));
            kiln(0, seq2seq(model, "--epochs", "1", "--device", "cuda-emu", "--out", emu.toString()));
            assertEquals("epoch,loss,val_loss,val_token_accuracy,val_exact_match", metrics(cpu).get(0));
            String[] c = metrics(cpu).get(1).split(",");
            String[] e = metrics(emu).get(1).split(",");
            for (int column = 1; column <= 4; column++) {
                double expected = Double.parseDouble(c[column]);
                assertEquals(expected, Double.parseDouble(e[column]), 1e-4 * Math.abs(expected), model + " column " + column);
            }
            assertEquals(Files.readAllLines(cpu.resolve("samples.txt")), Files.readAllLines(emu.resolve("samples.txt")));
            assertEquals(5, Files.readAllLines(cpu.resolve("samples.txt")).size());    // a header and the 4 dates
            assertEquals(3, Files.readAllLines(cpu.resolve("steps.csv")).size());      // a header and 2 steps
            assertTrue(Files.size(cpu.resolve("attention.png")) > 1000 && Files.size(cpu.resolve("accuracy.png")) > 1000);
        }
    }

    /** A run resumed after epoch 1 ends where an uninterrupted one does; another model and bad options are refused. */
    @Test
    void resumesExactlyAndRefusesBadArguments() throws Exception {
        Path whole = tmp.resolve("whole");
        Path parts = tmp.resolve("parts");
        kiln(0, seq2seq("transformer", "--epochs", "2", "--device", "cpu", "--out", whole.toString()));
        kiln(0, seq2seq("transformer", "--epochs", "1", "--device", "cpu", "--out", parts.toString()));
        kiln(0, seq2seq("transformer", "--epochs", "2", "--device", "cpu", "--resume", parts.toString()));
        assertEquals(metrics(whole), metrics(parts));
        assertEquals(Files.readAllLines(whole.resolve("steps.csv")), Files.readAllLines(parts.resolve("steps.csv")));
        assertEquals(Files.readAllLines(whole.resolve("samples.txt")), Files.readAllLines(parts.resolve("samples.txt")));
        String err = kiln(2, seq2seq("gru", "--epochs", "3", "--resume", parts.toString()));
        assertTrue(err.contains("holds a seq2seq-transformer run, not a seq2seq-gru one"), err);
        err = kiln(2, seq2seq("lstm"));
        assertTrue(err.contains("--model lstm: expected gru or transformer"), err);
        err = kiln(2, seq2seq("gru", "--data", tmp.toString()));
        assertTrue(err.contains("kiln run seq2seq draws its dates from --seed and reads no data"), err);
        err = kiln(2, seq2seq("gru", "--limit-train", "-1"));
        assertTrue(err.contains("--limit-train and --limit-test must be >= 0"), err);
    }
}
