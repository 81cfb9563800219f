package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `kiln summary`, `kiln gradcheck` and `kiln bench` on the CPU: what they print. */
class CommandsTest {
    /** Runs kiln and returns its standard output; fails on a non-zero exit, showing its errors. */
    private static String kiln(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int rc;
        try {
            System.setOut(new PrintStream(out, true, UTF_8));
            rc = Kiln.run(new PrintWriter(err, true), args);
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, rc, err.toString());
        return out.toString(UTF_8);
    }

    private static String lineWith(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + start + "' in:\n" + text));
    }

    @Test
    void summary_listsLenetsShapesParametersAndReceptiveFields() {
        String s = kiln("summary", "--model", "lenet", "--input", "1,28,28");
        // conv 5x5 pad 2, pool 2, conv 5x5, pool 2: receptive fields 5, 6, 14, 16 with jumps 1, 2, 2, 4;
        // columns: params, trainable, multiply-adds (outputs x 25 x in-channels), allocated bytes
        assertTrue(lineWith(s, "0 ").matches("0\\s+Conv2d\\s+\\[1, 6, 28, 28]\\s+156\\s+156\\s+117,600\\s+18.4 KiB"
                + "\\s+5x5 jump 1x1 start \\(0, 0\\)"), s);
        assertTrue(lineWith(s, "3 ").matches("3\\s+Conv2d\\s+\\[1, 16, 10, 10]\\s+2,416\\s+2,416\\s+240,000\\s+6.3 KiB"
                + "\\s+14x14 jump 2x2 start \\(4.5, 4.5\\)"), s);
        assertTrue(lineWith(s, "5 ").matches("5\\s+MaxPool2d\\s+\\[1, 16, 5, 5]\\s+0\\s+0\\s+0\\s+4.7 KiB"
                + "\\s+16x16 jump 4x4 start \\(5.5, 5.5\\)"), s);
        assertTrue(lineWith(s, "11 ").matches("11\\s+Linear\\s+\\[1, 10]\\s+850\\s+850\\s+840\\s+80 B\\s+-"), s);
        assertTrue(s.contains("total parameters: 61706"), s);
    }

    @Test
    void gradcheck_passesEveryDifferentiablePrimitiveOnTheCpu() {
        String s = kiln("gradcheck", "--device", "cpu");
        Matcher m = Pattern.compile("(\\d+) of (\\d+) passed").matcher(s);
        assertTrue(m.find(), s);
        assertEquals(m.group(2), m.group(1), s);
        assertTrue(Integer.parseInt(m.group(2)) >= 60, s);
        for (String op : List.of("relu ", "relu_backward ", "conv2d_backward_weight ", "attention_causal ")) {
            assertTrue(lineWith(s, op).contains(" pass "), s);
        }
    }

    @Test
    void bench_timesEveryKernelWithARate() {
        String s = kiln("bench", "--seconds", "0.01");
        assertTrue(s.matches("(?s)kernels on cpu \\(\\d+ threads?\\); ceilings measured here: memory [\\d.]+ GB/s .*"
                + "compute [\\d.]+ GFLOP/s .*"), s);
        // kernel, min, median, p90 (ms), calls, rate at the median, % of the ceiling
        Pattern row = Pattern.compile(".*\\s(\\d+\\.\\d+)\\s+(\\d+\\.\\d+)\\s+(\\d+\\.\\d+)\\s+(\\d+)"
                + "\\s+(\\d+\\.\\d+) (GB|GFLOP)/s\\s+\\d+%");
        for (String kernel : List.of("add f32", "relu f32", "sum f32", "softmax f32", "matmul f32", "conv2d f32",
                "max_pool2d f32")) {
            Matcher m = row.matcher(lineWith(s, kernel));
            assertTrue(m.matches(), s);
            double min = Double.parseDouble(m.group(1));
            double median = Double.parseDouble(m.group(2));
            double p90 = Double.parseDouble(m.group(3));
            assertTrue(min > 0 && min <= median && median <= p90, s);
            assertTrue(Integer.parseInt(m.group(4)) >= 3 && Double.parseDouble(m.group(5)) > 0, s);
        }
    }

    @Test
    void threadsOption_setsTheKernelsTeam() {
        try {
            String s = kiln("bench", "--threads", "1", "--seconds", "0", "--format", "json");
            assertTrue(s.contains("\"threads\": 1,"), s);
        } finally {
            dev.kiln.Threads.setNumThreads(dev.kiln.Threads.maxThreads());
        }
    }

    @Test
    void bench_writesCsvAndJson() {
        List<String> csv = kiln("bench", "--seconds", "0", "--format", "csv").lines().toList();
        assertEquals("kernel,bound,min_s,median_s,p90_s,calls,rate,rate_unit,percent_of_ceiling", csv.get(0));
        assertEquals(8, csv.size(), csv.toString());
        assertTrue(csv.get(5).startsWith("\"matmul f32 512x512x512\",compute,"), csv.get(5));
        assertEquals(9, csv.get(1).split(",").length);
        String json = kiln("bench", "--seconds", "0", "--format", "json");
        assertTrue(json.startsWith("{\"device\": \"cpu\", \"threads\": ") && json.trim().endsWith("]}"), json);
        assertEquals(7, json.split("\"kernel\": ").length - 1, json);
        assertTrue(json.contains("\"bound\": \"memory\"") && json.contains("\"median_s\": "), json);
    }
}
