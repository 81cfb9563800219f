package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The planted memory bugs of planted_bugs.cu under the ASan + UBSan build of the emulator
 * ({@code mvn -Pemu-sanitize ...}): each must make the sanitizer abort the (child) JVM with its
 * report. Without the profile the emulator has no sanitizers and these tests are skipped.
 */
class EmulatorSanitizerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "unguarded_copy_f32, heap-buffer-overflow",
        "misaligned_float4_f32, misaligned address",
    })
    void plantedMemoryBugIsReported(String kernel, String report) throws IOException, InterruptedException {
        assertTrue(Boolean.getBoolean("kiln.emu.sanitized"),
                "the emulator is built without sanitizers; this test runs under -Pemu-sanitize");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SanitizerProbe.class.getName(), kernel).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        assertNotEquals(0, code, "the sanitizer did not stop " + kernel + ":\n" + out);
        assertTrue(out.contains(report), "expected '" + report + "' in the report of " + kernel + ":\n" + out);
    }
}
