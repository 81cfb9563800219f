package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backends;
import dev.kiln.spi.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The staging of collectives (Backend.copyToBuffer / copyFromBuffer): a strided device view written at
 * a buffer's position and read back into another strided view, one copy each way, bit for bit.
 */
class StagingTest {
    static Stream<Arguments> targetsAndDtypes() {
        return Target.all().flatMap(t -> Stream.of(DType.FLOAT32, DType.FLOAT64, DType.INT64).map(d -> Arguments.of(t, d)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndDtypes")
    void stridedViewsGoThroughABufferAtItsPosition(Target target, DType dtype) {
        Device dev = target.use();
        Tensor base = Tensor.arange(1, 13, 1, dtype, Device.CPU).mul(3).sub(7).reshape(3, 4);
        Tensor view = base.to(dev).t().narrow(0, 1, 2); // (2, 3), strided
        int width = dtype.byteSize();
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 * width).order(ByteOrder.nativeOrder());
        buffer.position(2 * width); // a second tensor's place in a coalesced message
        Backends.of(dev).copyToBuffer(nd(view), buffer);
        assertEquals(8 * width, buffer.position());
        Tensor sent = Tensor.zeros(new int[] {8}, dtype, Device.CPU);
        Backends.of(Device.CPU).copyFromBuffer(buffer.rewind(), nd(sent));
        assertArrayEquals(view.contiguous().to(Device.CPU).to(DType.FLOAT64).toDoubleArray(),
                sent.narrow(0, 2, 6).to(DType.FLOAT64).toDoubleArray());

        Tensor target2 = Tensor.zeros(new int[] {3, 2}, dtype, dev).t(); // (2, 3), strided
        int before = Tensors.storage(target2).version();
        Backends.of(dev).copyFromBuffer(buffer.position(2 * width), nd(target2));
        assertEquals(8 * width, buffer.position());
        assertArrayEquals(view.to(Device.CPU).to(DType.FLOAT64).toDoubleArray(),
                target2.to(Device.CPU).to(DType.FLOAT64).toDoubleArray());
        assertEquals(before + 1, Tensors.storage(target2).version(), "an in-place write bumps the version");
    }
}
