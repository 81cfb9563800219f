package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.KernelContract;
import dev.kiln.testing.NdArrays;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CPU backend keeps the kernel contract: it never refers to the user API (see KernelContract). */
class CpuKernelContractTest {
    @Test
    void cpuBackendNeverRefersToTheUserApi() throws Exception {
        assertEquals(Set.of(), KernelContract.violations(classesOf(CpuBackend.class)));
    }

    /** The check itself: the test kit's adapter between tensors and arrays refers to both, and is caught. */
    @Test
    void aClassThatTouchesTensorsIsReported() throws Exception {
        Set<String> found = KernelContract.violations(classesOf(NdArrays.class));
        assertTrue(found.contains("NdArrays.class -> spi/Tensors.wrap"), found.toString());
        assertTrue(found.contains("NdArrays.class -> Tensor"), found.toString());
    }

    private static Path classesOf(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(c.getPackageName().replace('.', '/'));
    }
}
