package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The int64 and bool elementwise kernels give the CPU backend's values, on strided and broadcast views. */
class IntegralElementwiseTest {
    private static final long[] EDGES = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -5, 3_000_000_007L, -1, 1L << 32, 7,
        -(1L << 40), 2, 4_294_967_296L + 3, -9};

    private static Backend cpu() {
        return Backends.of(Device.CPU);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void int64OpsWrapAroundAsJavaDoes(Target target) {
        Device dev = target.use();
        Both x = Both.of(Tensor.fromArray(EDGES, 3, 4), dev).view(t -> t.t());             // (4, 3) strided
        // broadcast rows; -1 divides Long.MIN_VALUE (it must wrap, not trap the emulator's host CPU)
        Both row = Both.of(Tensor.fromArray(new long[] {Long.MAX_VALUE, -1, 1L << 33}, 1, 3), dev);
        for (UnaryOp op : UnaryOp.values()) {
            if (op.integral()) {
                assertArrayEquals(cpu().unary(op, x.cpu()).toLongArray(),
                        Backends.of(dev).unary(op, x.dev()).toLongArray(), op.opName());
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            if (op.integral()) {
                assertArrayEquals(cpu().binary(op, x.cpu(), row.cpu()).toLongArray(),
                        Backends.of(dev).binary(op, x.dev(), row.dev()).toLongArray(), op.opName());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void boolLogicalOpsBroadcast(Target target) {
        Device dev = target.use();
        Both a = Both.of(Tensor.fromArray(new boolean[] {true, false, true, true, false, false}, 2, 3), dev)
                .view(t -> t.t());                                                          // (3, 2) strided
        Both b = Both.of(Tensor.fromArray(new boolean[] {true, false}, 1, 2), dev);
        assertArrayEquals(cpu().unary(UnaryOp.LOGICAL_NOT, a.cpu()).toBooleanArray(),
                Backends.of(dev).unary(UnaryOp.LOGICAL_NOT, a.dev()).toBooleanArray());
        for (BinaryOp op : new BinaryOp[] {BinaryOp.LOGICAL_AND, BinaryOp.LOGICAL_OR}) {
            assertArrayEquals(cpu().binary(op, a.cpu(), b.cpu()).toBooleanArray(),
                    Backends.of(dev).binary(op, a.dev(), b.dev()).toBooleanArray(), op.opName());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void opsOutsideTheirDtypesAreRefusedByName(Target target) {
        Device dev = target.use();
        Backend b = Backends.of(dev);
        Tensor ints = Tensor.fromArray(new long[] {1, 2}, 2).to(dev);
        Tensor floats = Tensor.zeros(new int[] {2}, DType.FLOAT32, dev);
        Tensor bools = Tensor.fromArray(new boolean[] {true, false}, 2).to(dev);
        for (Runnable bad : new Runnable[] {() -> b.unary(UnaryOp.EXP, ints), () -> b.binary(BinaryOp.DIV, ints, ints),
            () -> b.unary(UnaryOp.LOGICAL_NOT, floats), () -> b.binary(BinaryOp.LOGICAL_OR, floats, floats),
            () -> b.unary(UnaryOp.NEG, bools), () -> b.binary(BinaryOp.ADD, bools, bools)}) {
            String message = assertThrows(UnsupportedOperationException.class, bad::run).getMessage();
            assertTrue(message.contains("not implemented by the " + dev.type() + " backend"), message);
        }
    }
}
