package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.cli.train.MetricsCsv;
import dev.kiln.cli.train.RunCheckpoint;
import dev.kiln.nn.checkpoint.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's files after kills, resumes and reused directories: the checkpoint is the truth that
 * metrics.csv follows, no temp file outlives a run, and flags that cannot be honoured are refused.
 */
class RunFilesTest {
    @TempDir
    Path tmp;
    private Path data;
    private Path run;

    @BeforeEach
    void data() throws Exception {
        data = IdxFixtures.dataset(tmp.resolve("data"), 40, 20);
        run = tmp.resolve("run");
    }

    private record Result(int code, String out, String err) {
    }

    /**
     * kiln train on the small data set with extra arguments (--model mlp for a new run; a resumed one
     * is left to continue its checkpoint's model); captures stdout too (the banner).
     */
    private Result train(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--batch-size", "10", "--device", "cpu",
                "--no-progress", "--data", data.toString()));
        if (!List.of(extra).contains("--resume")) {
            args.addAll(List.of("--model", "mlp"));
        }
        args.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Kiln.run(new PrintWriter(err, true), args.toArray(String[]::new));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(stdout);
        }
    }

    private Result ok(String... extra) {
        Result r = train(extra);
        assertEquals(0, r.code(), r.err());
        return r;
    }

    private String fails(String... extra) {
        Result r = train(extra);
        assertEquals(Kiln.USER_ERROR, r.code(), r.err() + r.out());
        return r.err();
    }

    private List<String> csv() throws Exception {
        return Files.readAllLines(run.resolve(MetricsCsv.FILE_NAME));
    }

    private double savedLr() {
        return RunCheckpoint.read(run.resolve(RunCheckpoint.FILE_NAME)).get("optimizer.lr").item();
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "expected '" + p + "' in: " + text);
        }
    }

    @Test
    void killedBetweenCheckpointAndCsv_resumeRestoresEveryEpochOnce() throws Exception {
        ok("--epochs", "2", "--out", run.toString());
        List<String> full = csv();
        Files.write(run.resolve(MetricsCsv.FILE_NAME), full.subList(0, 2)); // epoch 2's checkpoint is saved, its row is not
        ok("--epochs", "3", "--resume", run.toString());
        List<String> after = csv();
        assertEquals(full, after.subList(0, 3), "epochs 1 and 2 as they were");
        assertEquals(4, after.size(), "header and epochs 1, 2, 3 once each: " + after);
        assertTrue(after.get(3).startsWith("3,"), after.get(3));
    }

    @Test
    void truncatedCsv_doesNotBlockResume() throws Exception {
        ok("--epochs", "1", "--out", run.toString());
        List<String> full = csv();
        Files.writeString(run.resolve(MetricsCsv.FILE_NAME), full.get(0) + "\n" + full.get(1).substring(0, 5));
        ok("--epochs", "2", "--resume", run.toString());
        List<String> after = csv();
        assertEquals(full.get(1), after.get(1), "epoch 1's row comes back from the checkpoint");
        assertEquals(3, after.size(), after.toString());
    }

    @Test
    void staleTempFiles_ofTheRunsFiles_areRemoved() throws Exception {
        ok("--epochs", "1", "--out", run.toString());
        for (String name : List.of("checkpoint.safetensors8123.tmp", "metrics.csv-42.tmp", "curves.png977.tmp", "notes.tmp")) {
            Files.writeString(run.resolve(name), "left by a killed run");
        }
        ok("--epochs", "2", "--resume", run.toString());
        try (var files = Files.list(run)) {
            assertEquals(List.of("notes.tmp"), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                    .collect(Collectors.toList()));
        }
    }

    @Test
    void outHoldingAnotherRun_isRefused_andLeftAsItWas() throws Exception {
        ok("--epochs", "1", "--out", run.toString());
        byte[] before = Files.readAllBytes(run.resolve(RunCheckpoint.FILE_NAME));
        assertContains(fails("--epochs", "1", "--out", run.toString()), "--out", "already holds a run", "--resume");
        assertArrayEquals(before, Files.readAllBytes(run.resolve(RunCheckpoint.FILE_NAME)));
        // continuing a run into a new directory is fine, and leaves the old one alone
        ok("--epochs", "2", "--resume", run.toString(), "--out", tmp.resolve("run2").toString());
        assertArrayEquals(before, Files.readAllBytes(run.resolve(RunCheckpoint.FILE_NAME)));
        assertEquals(3, Files.readAllLines(tmp.resolve("run2").resolve(MetricsCsv.FILE_NAME)).size());
    }

    @Test
    void resumeWithAnotherOptimizer_isRefused_andWithoutOneContinuesTheSaved() throws Exception {
        ok("--epochs", "1", "--optimizer", "sgd", "--out", run.toString());
        assertContains(fails("--epochs", "2", "--optimizer", "adam", "--resume", run.toString()), "--optimizer adam",
                "trained with sgd");
        assertFalse(fails("--epochs", "2", "--optimizer", "adamw", "--resume", run.toString()).isEmpty());
        Result r = ok("--epochs", "2", "--resume", run.toString());
        assertContains(r.out(), "sgd lr");
        assertEquals("sgd", SafeTensors.metadata(run.resolve(RunCheckpoint.FILE_NAME)).get("optimizer"));
        assertTrue(RunCheckpoint.read(run.resolve(RunCheckpoint.FILE_NAME)).containsKey("optimizer.state.0.momentum_buffer"));
    }

    @Test
    void resumeWithAnotherModel_isRefused_andWithoutOneContinuesTheSaved() throws Exception {
        ok("--epochs", "1", "--out", run.toString());
        assertContains(fails("--epochs", "2", "--model", "lenet", "--resume", run.toString()), "--model lenet", "holds a mlp");
        assertContains(ok("--epochs", "2", "--resume", run.toString()).out(), "training mlp");
    }

    @Test
    void resume_keepsTheSavedLr_unlessLrIsGiven_andPrintsTheOneUsed() throws Exception {
        ok("--epochs", "1", "--lr", "0.002", "--out", run.toString());
        Result kept = ok("--epochs", "2", "--resume", run.toString());
        assertContains(kept.out(), "lr 0.00200000");
        assertEquals(0.002, savedLr());
        Result given = ok("--epochs", "3", "--lr", "0.01", "--resume", run.toString());
        assertContains(given.out(), "lr 0.0100000", "replaces the checkpoint's lr 0.00200000");
        assertEquals(0.01, savedLr());
    }

    @Test
    void epochsAtOrBelowTheCheckpoints_isRefused() throws Exception {
        ok("--epochs", "2", "--out", run.toString());
        List<String> before = csv();
        for (String epochs : new String[] {"1", "2"}) {
            assertContains(fails("--epochs", epochs, "--resume", run.toString()), "--epochs " + epochs,
                    "already finished 2 epochs");
        }
        assertEquals(before, csv());
    }

    @Test
    void batchLargerThanTheDataSet_isOneBatch_notNaN() throws Exception {
        ok("--epochs", "1", "--batch-size", String.valueOf(Integer.MAX_VALUE), "--out", run.toString());
        for (String v : csv().get(1).split(",")) {
            assertTrue(Double.isFinite(Double.parseDouble(v)), csv().get(1));
        }
    }
}
