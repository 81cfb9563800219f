package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The *_contig kernels (16-byte packs, then a scalar tail) against the CPU backend: lengths that
 * leave every tail size, 16-byte aligned and misaligned operands (a view at an odd offset), and a
 * broadcast scalar on either side of a binary op.
 */
class ContiguousKernelsTest {
    /** One element, and 1 to 3 past a multiple of each dtype's pack (4 float32, 2 float64 or int64, 16 bool). */
    private static final int[] LENGTHS = {1, 17, 18, 259};

    private static Backend cpu() {
        return Backends.of(Device.CPU);
    }

    /** (n,) contiguous on the CPU and the device: as allocated (aligned), and from offset 1 of a longer copy (misaligned). */
    private static List<Both> layouts(Tensor longer, Device dev) {
        int n = longer.shape()[0] - 1;
        Both all = Both.of(longer, dev);
        return List.of(all.view(t -> t.narrow(0, 0, n)), all.view(t -> t.narrow(0, 1, n)));
    }

    private static String describe(String op, Both x) {
        return op + " of " + Arrays.toString(x.dev().shape()) + " at offset " + x.dev().storageOffset();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void unaryOpsOnContiguousInputs(Target target, DType dtype) {
        Device dev = target.use();
        for (int n : LENGTHS) {
            Tensor base = KernelFamiliesTest.normal(n, 2, dtype, n + 1);
            for (Both x : layouts(base, dev)) {
                for (UnaryOp op : UnaryOp.values()) {
                    if (op == UnaryOp.LOGICAL_NOT) {
                        continue;  // bool only
                    }
                    boolean needsPositive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT;
                    Both in = needsPositive ? x.view(t -> t.abs().add(0.1)) : x;
                    Tolerances.BALANCED.of(dtype).assertClose(describe(op.opName(), x), tensor(cpu().unary(op, nd(in.cpu()))),
                            tensor(Backends.of(dev).unary(op, nd(in.dev()))).to(Device.CPU));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void binaryOpsOnContiguousInputsAndScalars(Target target, DType dtype) {
        Device dev = target.use();
        Both scalar = Both.of(Tensor.full(new int[0], 1.75, dtype, Device.CPU), dev);
        for (int n : LENGTHS) {
            Both b = Both.of(KernelFamiliesTest.normal(1000 + n, 1, dtype, n).abs().add(0.5), dev);
            for (Both a : layouts(KernelFamiliesTest.normal(n, 1, dtype, n + 1).abs(), dev)) {
                for (BinaryOp op : BinaryOp.values()) {
                    if (op.logical()) {
                        continue;
                    }
                    Both[][] pairs = {{a, b}, {b, a}, {scalar, a}, {a, scalar}, {a, scalar.view(t -> t.expand(n))}};
                    for (Both[] p : pairs) {
                        Tolerances.BALANCED.of(dtype).assertClose(describe(op.opName(), p[0]) + " and " + describe("", p[1]),
                                tensor(cpu().binary(op, nd(p[0].cpu()), nd(p[1].cpu()))),
                                tensor(Backends.of(dev).binary(op, nd(p[0].dev()), nd(p[1].dev()))).to(Device.CPU));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void integralAndBoolOpsOnContiguousInputs(Target target) {
        Device dev = target.use();
        for (int n : LENGTHS) {
            long[] values = new long[n + 1];
            boolean[] flags = new boolean[n + 1];
            for (int i = 0; i <= n; i++) {
                values[i] = (i * 7919L - 50) << (i % 40);
                flags[i] = i % 3 == 0;
            }
            Both longs = Both.of(Tensor.fromArray(values, n + 1), dev);
            Both bools = Both.of(Tensor.fromArray(flags, n + 1), dev);
            for (int offset = 0; offset <= 1; offset++) {
                int at = offset;
                Both x = longs.view(t -> t.narrow(0, at, n));
                Both y = longs.view(t -> t.narrow(0, 1 - at, n));
                for (UnaryOp op : UnaryOp.values()) {
                    if (op.integral()) {
                        assertArrayEquals(tensor(cpu().unary(op, nd(x.cpu()))).toLongArray(),
                                tensor(Backends.of(dev).unary(op, nd(x.dev()))).toLongArray(), describe(op.opName(), x));
                    }
                }
                for (BinaryOp op : BinaryOp.values()) {
                    if (op.integral()) {
                        assertArrayEquals(tensor(cpu().binary(op, nd(x.cpu()), nd(y.cpu()))).toLongArray(),
                                tensor(Backends.of(dev).binary(op, nd(x.dev()), nd(y.dev()))).toLongArray(), describe(op.opName(), x));
                    }
                }
                Both p = bools.view(t -> t.narrow(0, at, n));
                Both q = bools.view(t -> t.narrow(0, 1 - at, n));
                assertArrayEquals(tensor(cpu().unary(UnaryOp.LOGICAL_NOT, nd(p.cpu()))).toBooleanArray(),
                        tensor(Backends.of(dev).unary(UnaryOp.LOGICAL_NOT, nd(p.dev()))).toBooleanArray(), describe("logical_not", p));
                assertArrayEquals(tensor(cpu().binary(BinaryOp.LOGICAL_OR, nd(p.cpu()), nd(q.cpu()))).toBooleanArray(),
                        tensor(Backends.of(dev).binary(BinaryOp.LOGICAL_OR, nd(p.dev()), nd(q.dev()))).toBooleanArray(),
                                describe("logical_or", p));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void copiesAndFillsOfEveryLength(Target target, DType dtype) {
        Device dev = target.use();
        for (int n : LENGTHS) {
            for (Both x : layouts(KernelFamiliesTest.normal(n, 1, dtype, n + 1), dev)) {
                Tolerances.EXACT.assertClose(describe("clone", x), x.cpu(), x.dev().clone().to(Device.CPU));
                Tensor cpuDst = Tensor.zeros(new int[] {n + 3}, dtype, Device.CPU);
                Tensor devDst = Tensor.zeros(new int[] {n + 3}, dtype, dev);
                cpuDst.narrow(0, 3, n).copy_(x.cpu());   // into a misaligned destination
                devDst.narrow(0, 3, n).copy_(x.dev());
                Tolerances.EXACT.assertClose(describe("copy_ at offset 3", x), cpuDst, devDst.to(Device.CPU));
            }
            Tolerances.EXACT.assertClose("full " + n, Tensor.full(new int[] {n}, -2.5, dtype, Device.CPU),
                    Tensor.full(new int[] {n}, -2.5, dtype, dev).to(Device.CPU));
            long[] sevens = new long[n];
            Arrays.fill(sevens, 7L);
            assertArrayEquals(sevens, Tensor.full(new int[] {n}, 7, DType.INT64, dev).toLongArray());
            boolean[] ones = new boolean[n];
            Arrays.fill(ones, true);
            assertArrayEquals(ones, Tensor.full(new int[] {n}, 1, DType.BOOL, dev).toBooleanArray());
        }
    }
}
