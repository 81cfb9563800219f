package dev.kiln.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The element-type expander (src/build/ExpandTemplates.java), run as the build runs it. */
class ExpandTemplatesTest {
    @TempDir
    Path dir;

    @Test
    void expandsEveryTypeWithItsOwnValues_andKeepsUnchangedClasses() throws Exception {
        Path in = dir.resolve("templates/dev/kiln/x");
        Files.createDirectories(in);
        Files.writeString(in.resolve("Sum.java.template"), """
                package dev.kiln.x;
                //@ F32 BLOCK=16
                //@ F64 BLOCK=8
                /** Sums ${dtype}. */
                final class Sum${Suffix} {
                    static final int BLOCK = ${BLOCK};
                    static ${T} first(${T}[] a) {
                        return ${Box}.valueOf(a[0]);
                    }
                }
                """);
        Path out = dir.resolve("out");
        assertEquals(0, expand(dir.resolve("templates"), out).exitCode, "expander failed");
        String f32 = Files.readString(out.resolve("dev/kiln/x/SumF32.java"));
        String f64 = Files.readString(out.resolve("dev/kiln/x/SumF64.java"));
        assertTrue(f32.startsWith("// Generated from Sum.java.template for float32"), f32);
        assertTrue(f32.contains("""
                package dev.kiln.x;
                /** Sums float32. */
                final class SumF32 {
                    static final int BLOCK = 16;
                    static float first(float[] a) {
                        return Float.valueOf(a[0]);
                """), f32);
        assertTrue(f64.contains("static final int BLOCK = 8;") && f64.contains("static double first(double[] a)"), f64);
        long written = Files.getLastModifiedTime(out.resolve("dev/kiln/x/SumF32.java")).toMillis();
        Thread.sleep(20);
        Result again = expand(dir.resolve("templates"), out);
        assertTrue(again.output.contains("0 classes written"), again.output);
        assertEquals(written, Files.getLastModifiedTime(out.resolve("dev/kiln/x/SumF32.java")).toMillis());
    }

    @Test
    void refusesAPlaceholderWithoutAValue_namingTheLine() throws Exception {
        Path in = dir.resolve("templates");
        Files.createDirectories(in);
        Files.writeString(in.resolve("Bad.java.template"), """
                //@ F32 WIDE=4
                final class Bad${Suffix} {
                    static final int WIDE = ${WIDE};
                }
                """);
        Result r = expand(in, dir.resolve("out"));
        assertNotEquals(0, r.exitCode);
        assertTrue(r.output.contains("Bad.java.template:3: ${WIDE} has no value for F64"), r.output);
        assertTrue(Files.notExists(dir.resolve("out/BadF64.java")));
    }

    private record Result(int exitCode, String output) {
    }

    private static Result expand(Path templates, Path out) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), Path.of("src/build/ExpandTemplates.java").toString(),
                templates.toString(), out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }
}
