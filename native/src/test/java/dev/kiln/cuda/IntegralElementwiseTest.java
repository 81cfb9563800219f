package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
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
                assertArrayEquals(tensor(cpu().unary(op, nd(x.cpu()))).toLongArray(),
                        tensor(Backends.of(dev).unary(op, nd(x.dev()))).toLongArray(), op.opName());
            }
        }
        for (BinaryOp op : BinaryOp.values()) {
            if (op.integral()) {
                assertArrayEquals(tensor(cpu().binary(op, nd(x.cpu()), nd(row.cpu()))).toLongArray(),
                        tensor(Backends.of(dev).binary(op, nd(x.dev()), nd(row.dev()))).toLongArray(), op.opName());
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
        assertArrayEquals(tensor(cpu().unary(UnaryOp.LOGICAL_NOT, nd(a.cpu()))).toBooleanArray(),
                tensor(Backends.of(dev).unary(UnaryOp.LOGICAL_NOT, nd(a.dev()))).toBooleanArray());
        for (BinaryOp op : new BinaryOp[] {BinaryOp.LOGICAL_AND, BinaryOp.LOGICAL_OR}) {
            assertArrayEquals(tensor(cpu().binary(op, nd(a.cpu()), nd(b.cpu()))).toBooleanArray(),
                    tensor(Backends.of(dev).binary(op, nd(a.dev()), nd(b.dev()))).toBooleanArray(), op.opName());
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
        for (Runnable bad : new Runnable[] {() -> tensor(b.unary(UnaryOp.EXP, nd(ints))), () -> tensor(b.binary(BinaryOp.DIV, nd(ints),
                nd(ints))),
            () -> tensor(b.unary(UnaryOp.LOGICAL_NOT, nd(floats))), () -> tensor(b.binary(BinaryOp.LOGICAL_OR, nd(floats), nd(floats))),
            () -> tensor(b.unary(UnaryOp.NEG, nd(bools))), () -> tensor(b.binary(BinaryOp.ADD, nd(bools), nd(bools)))}) {
            String message = assertThrows(UnsupportedOperationException.class, bad::run).getMessage();
            assertTrue(message.contains("not implemented by the " + dev.type() + " backend"), message);
        }
    }
}
