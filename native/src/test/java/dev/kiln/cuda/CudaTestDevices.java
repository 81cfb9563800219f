package dev.kiln.cuda;

import dev.kiln.testing.TestDevice;
import java.util.List;

/**
 * The CUDA targets (cuda-emu in its three scheduling orders, and the GPU, skipped with its reason when
 * absent) as the test kit's devices, so the shared tests of jvm-api's test-jar (the PyTorch goldens) run on
 * them when this module runs them. Registered in META-INF/services; honours -Dkiln.targets as {@link Target}.
 */
public final class CudaTestDevices implements TestDevice.Provider {
    @Override
    public List<TestDevice> devices() {
        return Target.all().map(t -> new TestDevice(t.label(), t::use)).toList();
    }
}
