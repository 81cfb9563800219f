package dev.kiln.cuda;

import static dev.kiln.testing.NdArrays.nd;
import static dev.kiln.testing.NdArrays.tensor;
import static dev.kiln.testing.NdArrays.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Backends;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.testing.Tolerances;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The first kernel families against the CPU backend, on every target, float32 and float64, with
 * extents that are multiples of no tile or warp and inputs that are non-contiguous views on the
 * device (taken after the copy: {@code to(device)} of a view is contiguous).
 */
class KernelFamiliesTest {
    /** (a, b, c) normal values as a permuted (non-contiguous) view of shape (c, a, b). */
    private static Tensor permutedInput(long seed, DType dtype, int a, int b, int c) {
        return normal(seed, 1, dtype, a, b, c).permute(2, 0, 1);
    }

    static Tensor normal(long seed, double std, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, std, shape, dtype, Device.CPU);
    }

    /** base copied to dev, then viewed by f on both; the device view must be strided. */
    private static Both strided(Tensor base, Device dev, UnaryOperator<Tensor> f) {
        Both x = Both.of(base, dev).view(f);
        assertFalse(x.dev().isContiguous(), "the device input is a strided view");
        return x;
    }

    /** base (a, b, c) as the permuted (c, a, b) on the CPU and the device. */
    static Both permuted(Tensor base, Device dev) {
        return strided(base, dev, t -> t.permute(2, 0, 1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void copiesRoundTripAndMakeViewsContiguous(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = permutedInput(1, dtype, 7, 13, 3);
        Tensor onDevice = x.to(dev);
        Tolerances.EXACT.assertClose("to(device) and back", x, onDevice.to(Device.CPU));
        Tensor narrowed = x.narrow(2, 2, 9).transpose(0, 2);
        Tolerances.EXACT.assertClose("contiguous of a narrowed transpose", narrowed.contiguous(),
                onDevice.narrow(2, 2, 9).transpose(0, 2).contiguous().to(Device.CPU));
        long[] ints = {3, -5, 1L << 40};
        assertArrayEquals(ints, Tensor.fromArray(ints, 3).to(dev).toLongArray());
        boolean[] bools = {true, false, true, true};
        assertArrayEquals(bools, Tensor.fromArray(bools, 4).to(dev).toBooleanArray());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void copyIntoAStridedViewBroadcastsTheSource(Target target, DType dtype) {
        Device dev = target.use();
        Tensor cpuDst = Tensor.zeros(new int[] {5, 9}, dtype, Device.CPU);
        Tensor devDst = Tensor.zeros(new int[] {5, 9}, dtype, dev);
        Tensor row = Tensor.normal(new Generator(2), 0, 1, new int[] {1, 4}, dtype, Device.CPU);
        cpuDst.slice(1, 1, 9, 2).copy_(row);
        devDst.slice(1, 1, 9, 2).copy_(row.to(dev));
        Tolerances.EXACT.assertClose("copy_ into every other column", cpuDst, devDst.to(Device.CPU));
        DType other = dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        Both x = permuted(normal(3, 1, dtype, 4, 6, 5), dev);
        Tolerances.EXACT.assertClose("cast to " + other, x.cpu().to(other), x.dev().to(other).to(Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void unaryOpsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tensor base = normal(4, 3, dtype, 7, 13, 3);
        Tensor positiveBase = base.abs().add(0.1);
        // Permuted (3, 7, 13): no dims merge; narrowed (7, 9, 3): the last two merge; contiguous: 1-D.
        Both[] any = {permuted(base, dev), strided(base, dev, t -> t.narrow(1, 2, 9)), Both.of(base, dev)};
        Both[] positive = {permuted(positiveBase, dev), strided(positiveBase, dev, t -> t.narrow(1, 2, 9)),
            Both.of(positiveBase, dev)};
        for (UnaryOp op : UnaryOp.values()) {
            if (op == UnaryOp.LOGICAL_NOT) {
                continue;  // bool only
            }
            boolean needsPositive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT;
            for (Both in : needsPositive ? positive : any) {
                Tolerances.BALANCED.of(dtype).assertClose(op.opName() + " of " + java.util.Arrays.toString(in.dev().shape())
                                + " strides " + java.util.Arrays.toString(in.dev().stride()),
                        tensor(cpu.unary(op, nd(in.cpu()))), tensor(gpu.unary(op, nd(in.dev()))).to(Device.CPU));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void binaryOpsBroadcastStridedInputs(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tensor aBase = normal(5, 1, dtype, 7, 3, 37);
        Both a = permuted(aBase, dev).view(t -> t.narrow(2, 1, 1));                       // (37, 7, 1) strided
        Both aPositive = permuted(aBase.abs(), dev).view(t -> t.narrow(2, 1, 1));
        Both b = strided(normal(6, 1, dtype, 19, 7).abs().add(0.5), dev, Tensor::t);     // (7, 19) strided
        for (BinaryOp op : BinaryOp.values()) {
            if (op.logical()) {
                continue;
            }
            Both left = op == BinaryOp.POW ? aPositive : a;
            // (37, 7, 1) with (7, 19): both broadcast, to (37, 7, 19); and the other way round.
            Tolerances.BALANCED.of(dtype).assertClose(op.opName(), tensor(cpu.binary(op, nd(left.cpu()), nd(b.cpu()))),
                    tensor(gpu.binary(op, nd(left.dev()), nd(b.dev()))).to(Device.CPU));
            Tolerances.BALANCED.of(dtype).assertClose(op.opName() + " swapped", tensor(cpu.binary(op, nd(b.cpu()), nd(aPositive.cpu()))),
                    tensor(gpu.binary(op, nd(b.dev()), nd(aPositive.dev()))).to(Device.CPU));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void reductionsOverAnyDimsMatchTheCpu(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        Tensor base = normal(7, 1, dtype, 9, 300, 5);
        Both x = permuted(base, dev);                              // (5, 9, 300)
        Both forProd = permuted(base.mul(0.1).add(1), dev);
        int[][] dimSets = {{2}, {0}, {0, 2}, {1}, {0, 1, 2}};
        for (ReduceOp op : ReduceOp.values()) {
            Both in = op == ReduceOp.PROD ? forProd : x;
            for (int[] dims : dimSets) {
                for (boolean keep : new boolean[] {false, true}) {
                    Tolerances.BALANCED.of(dtype).assertClose(op.opName() + java.util.Arrays.toString(dims) + " keepdim " + keep,
                            tensor(cpu.reduce(op, nd(in.cpu()), dims, keep)), tensor(gpu.reduce(op, nd(in.dev()), dims,
                                    keep)).to(Device.CPU));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void maxAndMinWithIndicesPickTheFirstExtreme(Target target, DType dtype) {
        Device dev = target.use();
        Backend cpu = Backends.of(Device.CPU);
        Backend gpu = Backends.of(dev);
        // Rounded to a few values: many ties, so "first index" is tested.
        Both x = permuted(normal(8, 2, dtype, 6, 70, 33).round(), dev);   // (33, 6, 70)
        for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
            for (int dim = 0; dim < 3; dim++) {
                Tensor[] want = tensors(cpu.reduceWithIndices(op, nd(x.cpu()), dim, false));
                Tensor[] got = tensors(gpu.reduceWithIndices(op, nd(x.dev()), dim, false));
                Tolerances.EXACT.assertClose(op + " values dim " + dim, want[0], got[0].to(Device.CPU));
                assertArrayEquals(want[1].toLongArray(), got[1].toLongArray(), op + " indices dim " + dim);
            }
        }
    }
}
