package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What the workload tests do with a `kiln` command: run it in this JVM, build its arguments, read its metrics. */
final class KilnRuns {
    private KilnRuns() {
    }

    /** Runs kiln with args, checks its exit code, returns what it wrote on stderr. */
    static String kiln(int expectedCode, String... args) {
        StringWriter err = new StringWriter();
        assertEquals(expectedCode, Kiln.run(new PrintWriter(err, true), args), err.toString());
        return err.toString();
    }

    /** a's arguments, then b's. */
    static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A run's metrics.csv lines without each row's last column (the epoch's seconds). */
    static List<String> metrics(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }
}
