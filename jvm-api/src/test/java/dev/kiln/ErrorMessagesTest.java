package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input gives an exception whose message names the op, the argument and the shapes (DESIGN.md principle 7). */
class ErrorMessagesTest {
    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        String message = assertThrows(type, call).getMessage();
        for (String p : parts) {
            assertTrue(message.contains(p), "message \"" + message + "\" should contain \"" + p + "\"");
        }
    }

    private static Tensor f32(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void addWithShapesThatDoNotBroadcastNamesOpShapesAndDim() {
        assertMessage(IllegalArgumentException.class, () -> f32(2, 3).add(f32(4)), "add", "[2, 3]", "[4]", "3 vs 4");
    }

    @Test
    void addOfDifferentDtypesNamesBothDtypes() {
        Tensor d = Tensor.zeros(new int[] {2}, DType.FLOAT64, Device.CPU);
        assertMessage(IllegalArgumentException.class, () -> f32(2).add(d), "add", "self is float32", "other is float64", "[2]");
    }

    @Test
    void matmulWithMismatchedInnerDimsNamesBothShapes() {
        assertMessage(IllegalArgumentException.class, () -> f32(2, 3).matmul(f32(4, 5)), "matmul", "[2, 3]", "[4, 5]",
                "3 vs 4");
    }

    @Test
    void matmulWithBatchDimsThatDoNotBroadcastNamesThem() {
        assertMessage(IllegalArgumentException.class, () -> f32(2, 3, 4).matmul(f32(3, 4, 5)), "matmul", "[2]", "[3]");
    }

    @Test
    void conv2dWithWrongChannelCountNamesChannelsWeightShapeAndGroups() {
        assertMessage(IllegalArgumentException.class, () -> Functional.conv2d(f32(1, 3, 8, 8), f32(16, 4, 5, 5), null, 1, 0, 1, 1),
                "conv2d", "input has 3 channels", "weight expects 4", "[16, 4, 5, 5]", "groups 1");
    }

    @Test
    void conv2dWithKernelLargerThanInputNamesBoth() {
        assertMessage(IllegalArgumentException.class, () -> Functional.conv2d(f32(1, 1, 3, 3), f32(1, 1, 5, 5), null, 1, 0, 1, 1),
                "conv2d", "kernel 5x5", "[1, 1, 3, 3]");
    }

    @Test
    void catOfMismatchedShapesNamesTheTensorAndBothShapes() {
        assertMessage(IllegalArgumentException.class, () -> Tensor.cat(new Tensor[] {f32(2, 3), f32(2, 4)}, 0), "cat",
                "tensors[1]", "[2, 4]", "[2, 3]", "dim 0");
    }

    @Test
    void gatherIndexOutOfRangeSaysWhichIndexAndTheSize() {
        Tensor index = Tensor.fromArray(new long[] {0, 7}, 1, 2);
        assertMessage(IndexOutOfBoundsException.class, () -> f32(1, 5).gather(1, index), "gather", "index 7", "dim 1",
                "size 5");
    }

    @Test
    void indexSelectIndexOutOfRangeSaysWhichIndexAndTheSize() {
        Tensor index = Tensor.fromArray(new long[] {-1}, 1);
        assertMessage(IndexOutOfBoundsException.class, () -> f32(3, 2).indexSelect(0, index), "index_select", "index -1",
                "size 3");
    }

    @Test
    void selectIndexOutOfRangeSaysWhichIndexAndTheSize() {
        assertMessage(IndexOutOfBoundsException.class, () -> f32(3, 2).select(0, 3), "select", "index 3", "size 3", "[3, 2]");
    }

    @Test
    void narrowPastTheEndSaysStartLengthAndSize() {
        assertMessage(IndexOutOfBoundsException.class, () -> f32(3, 4).narrow(1, 2, 3), "narrow", "start 2", "length 3",
                "size 4", "[3, 4]");
    }

    @Test
    void dimOutOfRangeNamesTheOpAndTheValidRange() {
        assertMessage(IndexOutOfBoundsException.class, () -> f32(2, 3).sum(2), "sum", "dim 2", "rank 2", "[-2, 1]");
    }

    @Test
    void extremeOfAnEmptyReducedDimIsAnErrorButAnEmptyKeptDimIsNot() {
        assertMessage(IllegalArgumentException.class, () -> f32(0, 3).amax(new int[] {0}, false), "amax", "dim 0", "[0, 3]");
        assertTrue(f32(0, 3).amax(new int[] {1}, false).numel() == 0);
    }

    @Test
    void reshapeToAnIncompatibleSizeNamesBothShapes() {
        assertMessage(IllegalArgumentException.class, () -> f32(2, 3).reshape(4, 2), "reshape", "[4, 2]", "[2, 3]", "6 elements");
    }

    @Test
    void expandOfANonSingletonDimNamesSizeAndTarget() {
        assertMessage(IllegalArgumentException.class, () -> f32(2, 3).expand(4, 3), "expand", "size 2", "[2, 3]", "[4, 3]");
    }

    @Test
    void fromArrayWithTheWrongLengthNamesShapeAndLength() {
        assertMessage(IllegalArgumentException.class, () -> Tensor.fromArray(new float[5], 2, 3), "fromArray", "[2, 3]",
                "6 elements", "5");
    }

    @Test
    void cpuOutOfMemorySaysWhatWasAsked() {
        long asked = 8L * Integer.MAX_VALUE; // 16 GiB of float64
        org.junit.jupiter.api.Assumptions.assumeTrue(asked > Runtime.getRuntime().maxMemory(),
                "the JVM heap (" + Runtime.getRuntime().maxMemory() + " bytes) could hold 16 GiB: nothing to provoke");
        assertMessage(OutOfMemoryError.class, () -> Tensor.zeros(new int[] {Integer.MAX_VALUE}, DType.FLOAT64, Device.CPU),
                "cpu", "2147483647 float64 elements", asked + " bytes", "-Xmx");
    }
}
