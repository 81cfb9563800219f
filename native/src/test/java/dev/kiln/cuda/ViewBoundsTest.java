package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Functional;
import dev.kiln.Pool2dParams;
import dev.kiln.Tensor;
import dev.kiln.spi.Tensors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sizes, offsets and strides are checked in long at the tensor API, on every device: a view that
 * would reach outside its storage or hold more than 2^31-1 elements is an exception naming the op,
 * never a read of garbage or a kernel crash. Also copy_'s overlap rules and the 0-d CPU scalar rule.
 */
class ViewBoundsTest {
    static Stream<Arguments> devices() {
        return Stream.concat(Stream.of(Arguments.of("cpu", null)), Target.all().map(t -> Arguments.of(t.label(), t)));
    }

    private static Device use(Target target) {
        return target == null ? Device.CPU : target.use();
    }

    /** (10,) float32 0..9 on the device. */
    private static Tensor tenOn(Device d) {
        return Tensor.arange(0, 10, 1, DType.FLOAT32, d);
    }

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks \"" + p + "\": " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void viewsOutsideTheStorageAreRefused(String label, Target target) {
        Tensor x = tenOn(use(target));
        // start + length wrapped in int before: accepted, then read heap garbage or crashed a kernel
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> x.narrow(0, 5, Integer.MAX_VALUE - 3)), "narrow");
        assertMessage(assertThrows(IndexOutOfBoundsException.class,
                () -> Tensors.wrap(Tensors.storage(x), new int[] {4}, new int[] {1}, 8)), "wrap", "[4]", "10 elements");
        assertMessage(assertThrows(IndexOutOfBoundsException.class,
                () -> Tensors.wrap(Tensors.storage(x), new int[] {2, 3}, new int[] {Integer.MAX_VALUE, 1}, 0)), "wrap");
        assertMessage(assertThrows(IndexOutOfBoundsException.class,
                () -> Tensors.wrap(Tensors.storage(x), new int[] {1}, new int[] {1}, -1)), "wrap", "offset -1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Tensors.wrap(Tensors.storage(x), new int[] {2}, new int[] {-1}, 5)), "wrap", "negative");
        // the last element exactly, and an empty view anywhere, are fine
        assertEquals(9, Tensors.wrap(Tensors.storage(x), new int[] {1}, new int[] {1}, 9).item());
        assertEquals(0, Tensors.wrap(Tensors.storage(x), new int[] {0, 3}, new int[] {3, 1}, 10).numel());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void viewsOfMoreThan2e31ElementsAreRefused(String label, Target target) {
        Device d = use(target);
        Tensor one = Tensor.ones(new int[] {1, 1}, DType.FLOAT32, d);
        // was: sum(1) died with SIGFPE on cuda-emu, sum() gave 0.0, mean() NaN, max() -Infinity
        assertMessage(assertThrows(IllegalArgumentException.class, () -> one.expand(65536, 65536)),
                "expand", "[65536, 65536]", "2^31-1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(new int[] {1}, DType.FLOAT32, d).expand(-2)), "expand", "-2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> one.expand(1, -2)), "expand", "-2");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(new int[] {65536, 65536}, DType.FLOAT32, d)), "2^31-1");
        Tensor column = Tensor.ones(new int[] {65536, 1}, DType.FLOAT32, d);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> column.add(column.t())), "add", "2^31-1");
        Tensor half = Tensor.ones(new int[] {1}, DType.FLOAT32, d).expand(1 << 30);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.cat(new Tensor[] {half, half, half}, 0)),
                "cat", "3221225472");
        // an expansion that fits still reduces correctly
        assertEquals(65536.0 * 16384, one.expand(65536, 16384).sum().item());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void sliceWithAHugeStepAndReshapeOfAnEmptyTensor(String label, Target target) {
        Device d = use(target);
        Tensor x = tenOn(d);
        Tensor every = x.slice(0, 3, 10, Integer.MAX_VALUE); // stride * step wrapped before
        assertArrayEquals(new int[] {1}, every.shape());
        assertEquals(3, every.item());
        Tensor m = x.reshape(2, 5).t(); // (5, 2), strides (1, 5)
        assertArrayEquals(new float[] {1, 6}, m.slice(0, 1, 5, Integer.MAX_VALUE - 1).contiguous().toFloatArray());
        Tensor empty = Tensor.zeros(new int[] {0}, DType.FLOAT32, d);
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE}, empty.reshape(0, Integer.MAX_VALUE).shape());
        // the product of the non-empty sizes overflows: strides cannot be represented
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> empty.reshape(Integer.MAX_VALUE, Integer.MAX_VALUE, 4, 0)), "reshape", "2^31-1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> empty.reshape(2, Integer.MAX_VALUE, -1)),
                "reshape", "2^31-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void copyIntoAnExpandedViewIsRefused(String label, Target target) {
        Device d = use(target);
        Tensor row = Tensor.zeros(new int[] {1, 3}, DType.FLOAT32, d);
        Tensor wide = row.expand(4, 3);
        Tensor src = Tensor.arange(0, 12, 1, DType.FLOAT32, d).reshape(4, 3);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> wide.copy_(src)),
                "copy_", "single memory location", "[4, 3]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> wide.fill_(1)), "single memory location");
        assertArrayEquals(new float[] {0, 0, 0}, row.toFloatArray()); // nothing was written
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void copyBetweenOverlappingViewsReadsTheSourceAsItWas(String label, Target target) {
        Device d = use(target);
        Tensor x = tenOn(d);
        x.narrow(0, 1, 9).copy_(x.narrow(0, 0, 9)); // a shift right: racy on a GPU without a snapshot
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, x.toFloatArray());
        Tensor y = tenOn(d);
        y.narrow(0, 0, 9).copy_(y.narrow(0, 1, 9)); // a shift left
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 9}, y.toFloatArray());
        Tensor z = tenOn(d).reshape(2, 5);
        z.copy_(z); // the same view: nothing to do
        assertArrayEquals(tenOn(Device.CPU).toFloatArray(), z.reshape(10).toFloatArray());
        Tensor sq = Tensor.arange(0, 9, 1, DType.FLOAT64, d).reshape(3, 3);
        sq.copy_(sq.t()); // in-place transpose through a snapshot
        assertArrayEquals(new double[] {0, 3, 6, 1, 4, 7, 2, 5, 8}, sq.reshape(9).toDoubleArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void copyConvertsTheDtypeAsPyTorch(String label, Target target) {
        Device d = use(target);
        Tensor dst = Tensor.zeros(new int[] {3}, DType.FLOAT64, d);
        dst.copy_(Tensor.fromArray(new float[] {0.5f, -1.25f, 3f}, 3));
        assertArrayEquals(new double[] {0.5, -1.25, 3}, dst.toDoubleArray());
        Tensor ints = Tensor.zeros(new int[] {3}, DType.INT64, d);
        ints.copy_(Tensor.fromArray(new double[] {2.9, -2.9, 0.2}, 3).to(d)); // truncates toward zero
        assertArrayEquals(new long[] {2, -2, 0}, ints.toLongArray());
        Tensor flags = Tensor.zeros(new int[] {2}, DType.BOOL, d);
        flags.copy_(Tensor.fromArray(new long[] {0, 7}, 2));
        assertArrayEquals(new boolean[] {false, true}, flags.toBooleanArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void aZeroDimCpuTensorActsAsAScalarOnAnyDevice(String label, Target target) {
        Device d = use(target);
        Tensor x = Tensor.arange(0, 4, 1, DType.FLOAT32, d);
        Tensor two = Tensor.scalar(2, DType.FLOAT32); // on the CPU
        Tensor sum = x.add(two);
        assertEquals(d, sum.device());
        assertArrayEquals(new float[] {2, 3, 4, 5}, sum.toFloatArray());
        assertArrayEquals(new float[] {2, 1, 0, -1}, two.sub(x).toFloatArray());
        assertEquals(d, two.sub(x).device());
        assertArrayEquals(new boolean[] {true, true, false, false}, x.lt(two).toBooleanArray());
        Tensor w = Tensor.where(x.gt(Tensor.scalar(1, DType.FLOAT32)), Tensor.scalar(-1, DType.FLOAT32), x);
        assertEquals(d, w.device());
        assertArrayEquals(new float[] {0, 1, -1, -1}, w.toFloatArray());
        Tensor count = Tensor.zeros(new int[0], DType.INT64, d); // BatchNorm's num_batches_tracked + 1
        count.copy_(count.add(Tensor.scalar(1, DType.INT64)));
        assertEquals(1, count.item());
        if (!d.equals(Device.CPU)) {
            // a CPU tensor that is not 0-d is not a scalar: still an error naming both devices
            Tensor cpuVector = Tensor.ones(new int[] {4}, DType.FLOAT32, Device.CPU);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> x.add(cpuVector)), "add", "cpu");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void convolutionAndPoolingOutputSizesDoNotWrap(String label, Target target) {
        Device d = use(target);
        Tensor x = Tensor.ones(new int[] {1, 1, 4, 4}, DType.FLOAT32, d);
        Tensor w = Tensor.ones(new int[] {1, 1, 3, 3}, DType.FLOAT32, d);
        int big = Integer.MAX_VALUE;
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, w, null, new Conv2dParams(1, 1, big, 0, 1, 1, 1))), "conv2d", "padded");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(x, w, null, new Conv2dParams(1, 1, 0, 0, big, 1, 1))), "conv2d", "larger");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Functional.maxPool2d(x, new Pool2dParams(2, 2, 1, 1, 0, 0, big, 1, false, true))), "max_pool2d", "empty");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new Pool2dParams(3, 3, 1, 1, big, 0, 1, 1, false, true)), "padding");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> Functional.maxPool2d(x, new Pool2dParams(3, 3, big, big, 1, 1, 1, 1, true, true))), "pool2d", "padded");
        // a stride far beyond the input is one window, as in PyTorch
        assertArrayEquals(new int[] {1, 1, 1, 1},
                Functional.conv2d(x, w, null, new Conv2dParams(1 << 20, 1 << 20, 0, 0, 1, 1, 1)).shape());
    }
}
