package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.testing.KernelContract;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CUDA backend and its launchers keep the kernel contract: no reference to the user API (see KernelContract). */
class CudaKernelContractTest {
    @Test
    void cudaBackendNeverRefersToTheUserApi() throws Exception {
        Path classes = Path.of(CudaBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/kiln/cuda");
        assertEquals(Set.of(), KernelContract.violations(classes));
    }
}
