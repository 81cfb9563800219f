package dev.kiln.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DeviceProperties;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A GPU is rated against its specification's peaks; a device that gives none against ceilings measured here. */
class CeilingsTest {
    private static final DeviceProperties H100 = new DeviceProperties("cuda:0", 132, 2048, 3.35e12, 66.9e12);

    @Test
    void aDeviceWithPeaksIsRatedAgainstThem() {
        Ceilings c = Ceilings.of(H100, 1);
        assertFalse(c.measured());
        assertEquals(3.35e12, c.bytesPerSecond());
        assertEquals(66.9e12, c.flopsPerSecond());
        // a 1 ms matmul of 2 * 4096^3 FLOP: 137.4 TFLOP/s would be 205% of the float32 peak (tensor cores)
        BenchRow matmul = new BenchRow("matmul", true, 2.0 * 4096 * 4096 * 4096, new Samples(1e-3, 1e-3, 1e-3, 5));
        String table = BenchReport.format("table", "cuda:0", 1, c, List.of(matmul));
        assertTrue(table.startsWith("kernels on cuda:0 (1 thread); ceilings from the device's specification: memory 3350.0 GB/s"),
                table);
        assertTrue(table.contains("compute 66900.0 GFLOP/s") && table.contains("205%"), table);
        assertTrue(BenchReport.format("json", "cuda:0", 1, c, List.of(matmul)).contains("\"source\": \"specification\""));
    }

    @Test
    void aDeviceWithoutPeaksIsMeasured() {
        Ceilings c = Ceilings.of(new DeviceProperties("cuda-emu:0", 132, 2048, 0, 0), 1);
        assertTrue(c.measured() && c.bytesPerSecond() > 0 && c.flopsPerSecond() > 0, c.toString());
        assertTrue(BenchReport.format("json", "cuda-emu:0", 1, c, List.of()).contains("\"source\": \"measured\""));
    }
}
