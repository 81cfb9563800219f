package dev.kiln.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU benchmark harness runs every op on the emulated device, so it works when a GPU is lent. */
class GpuBenchTest {
    @Test
    void everyOp_runsOnCudaEmu_andPrintsRatesAndTheBaselineRatio(@TempDir Path dir) throws Exception {
        Path cases = Path.of(GpuBenchTest.class.getResource("tiny-cases.txt").toURI());
        List<GpuCase> all = GpuBench.cases(cases.toString());
        List<GpuBench.Result> results = GpuBench.run(Device.parse("cuda-emu"), all, 2, 1);
        assertEquals(all.size(), results.size());
        for (GpuBench.Result r : results) {
            assertTrue(r.ms() > 0 && r.gbs() > 0, r.toString());
            assertEquals(r.c().op().matches("copy|softmax.*|log_softmax|.*pool2d"), r.tflops() == 0, r.toString());
        }
        Path torch = dir.resolve("torch.tsv");
        Files.writeString(torch, "matmul f32 m=33 n=17 k=9\t" + 2 * results.get(1).ms() + "\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GpuBench.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), Device.parse("cuda-emu"), results,
                GpuBench.baseline(torch));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("matmul f32 m=33 n=17 k=9") && l.endsWith(" 2.00")), table);
    }

    @Test
    void packagedCases_parse() throws Exception {
        assertTrue(GpuBench.cases(null).size() >= 20);
    }

    @Test
    void badCases_sayWhatIsWrong() {
        assertEquals("gpu bench case 'matmul f16 m=1': dtype f16 is not one of f32, f64",
                assertThrows(IllegalArgumentException.class, () -> GpuCase.parse("matmul f16 m=1")).getMessage());
        assertEquals("gpu bench case 'matmul f32 m=x': m=x is not key=<non-negative integer>",
                assertThrows(IllegalArgumentException.class, () -> GpuCase.parse("matmul f32 m=x")).getMessage());
        GpuKernels kernels = new GpuKernels(null, Device.CPU);
        assertEquals("gpu bench case 'matmul f32 m=2': matmul needs n=...",
                assertThrows(IllegalArgumentException.class, () -> kernels.prepare(GpuCase.parse("matmul f32 m=2"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GpuBench.run(Device.CPU, List.of(), 1, 1))
                .getMessage().contains("not a CUDA device"));
    }
}
