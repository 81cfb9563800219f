package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Launchers refuse, before any kernel runs, what the kernels' 32-bit indexing or CUDA's grid limits cannot take. */
class KernelLimitsTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void aSumOverAnExpandedViewOfTwoToTheThirtyOneElementsIsRefused(Target target) {
        Device dev = target.use();
        // A legal view of 2^31 - 1 elements (one, stride 0): a thread's next index, j + 256, would overflow int.
        Tensor x = Tensor.ones(new int[] {1}, DType.FLOAT32, dev).expand(Integer.MAX_VALUE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, x::sum);
        assertEquals("reduce_rows_f32: a view of shape [2147483647] with strides [0] at offset 0 has 2147483647 elements;"
                + " with the grid's step of 256 they exceed the kernel's 32-bit indexing (2^31 - 1)", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void aLaunchWithAGridBeyondCudasLimitsIsRefused(Target target) {
        Device dev = target.use();
        Launcher launcher = new CopyLauncher(((CudaBackend) Backends.of(dev)).context());
        Tensor y = Tensor.zeros(new int[] {1}, DType.FLOAT32, dev);
        for (Dim3 grid : new Dim3[] {new Dim3(1, 65536, 1), new Dim3(1, 1, 65536)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> launcher.launch("copy",
                    DType.FLOAT32, "fill_contig_f32", grid, Dim3.of(32), 0, new KernelArgs().ptr(nd(y)).f32(1).i32(1)));
            assertEquals("fill_contig_f32: grid " + grid + " exceeds CUDA's limit of 65535 blocks in y and z", e.getMessage());
        }
        assertEquals(0, y.toFloatArray()[0]);   // nothing ran
    }

    @Test
    void aViewFitsWhileItsElementsPlusTheGridStepFitAnInt() {
        Tensor one = Tensor.ones(new int[] {1}, DType.FLOAT32, Device.CPU);
        KernelLimits.checkView("k", nd(one.expand(Integer.MAX_VALUE - 256)), 256);
        KernelLimits.checkView("k", nd(one.expand(4, 5)), 1 << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelLimits.checkView("k", nd(one.expand(Integer.MAX_VALUE - 255)), 256));
        assertEquals("k: a view of shape [2147483392] with strides [0] at offset 0 has 2147483392 elements; with the grid's"
                + " step of 256 they exceed the kernel's 32-bit indexing (2^31 - 1)", e.getMessage());
    }

    @Test
    void gridsWithinCudasLimitsPass() {
        KernelLimits.checkGrid("k", new Dim3(Integer.MAX_VALUE, 65535, 65535));
    }
}
