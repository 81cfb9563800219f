package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.testing.KernelContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CPU backend keeps the kernel contract: it never calls back into the user API (see KernelContract). */
class CpuKernelContractTest {
    @Test
    void cpuBackendNeverCallsTheUserApi() throws Exception {
        Path classes = Path.of(CpuBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/kiln/cpu");
        assertEquals(Set.of(), KernelContract.violations(classes));
    }
}
