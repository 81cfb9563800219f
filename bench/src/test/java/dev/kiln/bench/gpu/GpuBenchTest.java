package dev.kiln.bench.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU benchmark harness runs every op on the emulated device, so it works when a GPU is lent. */
class GpuBenchTest {
    @Test
    void everyOp_runsOnCudaEmu_andPrintsRatesAndTheBaselineRatio(@TempDir Path dir) throws Exception {
        Path cases = Path.of(GpuBenchTest.class.getResource("tiny-cases.txt").toURI());
        List<GpuCase> all = GpuBench.cases(cases.toString());
        Device emu = Device.parse("cuda-emu");
        List<GpuBench.Result> results = GpuBench.run(emu, all, 3, 1);
        assertEquals(all.size(), results.size());
        Set<String> ops = new HashSet<>();
        for (GpuBench.Result r : results) {
            ops.add(r.c().op());
            assertTrue(r.minMs() > 0 && r.minMs() <= r.medianMs() && r.ms().length == 3 && r.gbs() > 0, r.toString());
            assertEquals(r.c().op().matches("matmul|conv2d.*|attention.*"), r.tflops() > 0, r.c().text());
        }
        for (String op : GpuBench.cases(null).stream().map(GpuCase::op).toList()) {
            assertTrue(ops.contains(op), "tiny-cases.txt runs " + op);
        }
        Path torch = dir.resolve("torch.tsv");
        Files.writeString(torch, "matmul f32 m=33 n=17 k=9\t" + 2 * results.get(1).medianMs() + "\n");
        GpuBench.Run run = new GpuBench.Run("GpuBench --device cuda-emu", "abc123", "cuda-emu", GpuBench.peakGbs(emu, 4096, 3, 1), 0);
        Map<String, Double> baseline = GpuBench.baseline(torch);
        String table = GpuReport.format("text", run, results, baseline);
        assertTrue(table.startsWith("GpuBench --device cuda-emu\nlabel abc123; kernels on cuda-emu"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("matmul f32 m=33 n=17 k=9") && l.endsWith(" 2.00")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("copy f32 numel=1000 ") && l.matches(".* \\d+% +- +- +-$")), table);
        String csv = GpuReport.format("csv", run, results, baseline);
        assertEquals(results.size() + 1, csv.lines().count());
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("\"matmul f32 m=33 n=17 k=9\",") && l.contains(",2.00000,\"abc123\"")), csv);
        String json = GpuReport.format("json", run, results, baseline);
        assertTrue(json.startsWith("{\"command\": \"GpuBench --device cuda-emu\", \"label\": \"abc123\""), json);
        assertEquals(results.size(), json.lines().filter(l -> l.contains("\"case\": ")).count(), json);
        assertEquals("GpuBench: --format xml is not one of text, csv, json", assertThrows(IllegalArgumentException.class,
                () -> GpuReport.format("xml", run, results, baseline)).getMessage());
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
