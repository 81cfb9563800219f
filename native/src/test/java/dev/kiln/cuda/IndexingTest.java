package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import dev.kiln.testing.Tolerances.Tolerance;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/index.cu (gather, scatter_add, index_select, index_add) and cat against the CPU backend,
 * through the Tensor API (so negative dims are normalised as users see them), on every target,
 * float32 and float64, with non-contiguous operands, duplicate and empty indices.
 */
class IndexingTest {
    /** Normal values of shape, contiguous: a base the ops below take views of. */
    private static Tensor normal(long seed, DType dtype, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, shape, dtype, Device.CPU);
    }

    /** int64 values in [0, bound) of shape, drawn so that duplicates are many. */
    private static Tensor indices(long seed, int bound, int... shape) {
        Random r = new Random(seed);
        long[] v = new long[dev.kiln.Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(bound);
        }
        return Tensor.fromArray(v, shape);
    }

    /**
     * op on the CPU bases and on copies of them on dev gives the same values. op takes its views
     * (permutes, narrows) itself, so the device operands are as non-contiguous as the CPU ones.
     */
    private static void same(String what, Tolerance tol, Device dev, Function<Tensor[], Tensor> op, Tensor... bases) {
        Tensor[] moved = Stream.of(bases).map(b -> b.to(dev)).toArray(Tensor[]::new);
        tol.assertClose(what, op.apply(bases), op.apply(moved).to(Device.CPU));
    }

    /** float64 adds in index order (bit-identical to the CPU); float32 atomically, in any order. */
    private static Tolerance addTolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? Tolerances.EXACT : Tolerances.BALANCED.of(dtype);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void gatherReadsAlongAnyDimThroughStrides(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = normal(1, dtype, 13, 7, 10);                      // viewed as (7, 10, 13)
        for (int dim : new int[] {0, 1, 2, -1, -3}) {
            Tensor idx = indices(10 + dim, x.permute(1, 2, 0).size(dim < 0 ? dim + 3 : dim), 6, 11, 9);           // viewed as (4, 3, 7)
            final int fd = dim;
            // index (6, 9, 11)
            same("gather dim " + dim, Tolerances.EXACT, dev, a -> a[0].permute(1, 2, 0).gather(fd, a[1].transpose(1, 2)), x, idx);
        }
        same("gather of an empty index", Tolerances.EXACT, dev, a -> a[0].gather(1, a[1]), x, Tensor.fromArray(new long[0], 0, 2, 2));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void scatterAddSumsDuplicateIndices(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = normal(3, dtype, 13, 7, 10);                      // viewed as (7, 10, 13)
        Tensor src = normal(4, dtype, 13, 7, 12);                    // viewed as (7, 12, 13): larger than the index
        int[][] idxShapes = {{6, 10, 12}, {6, 12, 12}, {6, 10, 13}}; // per dim: <= x but at dim, <= src
        for (int dim : new int[] {0, 1, 2, -1}) {
            int d = dim < 0 ? dim + 3 : dim;
            int[] s = idxShapes[d];
            Tensor idx = indices(20 + d, x.permute(1, 2, 0).size(d), s[2], s[0], s[1]);  // viewed as s
            final int fd = dim;
            same("scatter_add dim " + dim, addTolerance(dtype), dev,
                    a -> a[0].permute(1, 2, 0).scatterAdd(fd, a[1].permute(1, 2, 0), a[2].permute(1, 2, 0)), x, idx, src);
        }
        // Eight of a row's 13 elements onto one position: a long chain of adds on one element.
        Tensor crowded = Tensor.fromArray(new long[] {2, 2, 2, 2, 2, 2, 2, 0, 0, 2, 12, 12, 5}, 1, 1, 13);
        same("scatter_add onto one element", addTolerance(dtype), dev,
                a -> a[0].permute(1, 2, 0).scatterAdd(2, a[1].expand(7, 10, 13), a[2].permute(1, 2, 0)), x, crowded, src);
        same("scatter_add of an empty index", Tolerances.EXACT, dev,
                a -> a[0].permute(1, 2, 0).scatterAdd(1, a[1], a[2].permute(1, 2, 0)), x, Tensor.fromArray(new long[0], 7, 0, 13), src);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void indexSelectAndIndexAddWithDuplicateStridedAndEmptyIndices(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = normal(6, dtype, 13, 7, 10);                      // viewed as (7, 10, 13)
        for (int dim : new int[] {0, 1, 2, -1, -2}) {
            int d = dim < 0 ? dim + 3 : dim;
            Tensor idx = indices(30 + d, x.permute(1, 2, 0).size(d), 22);   // viewed with stride 2: 11 entries
            int[] srcShape = x.permute(1, 2, 0).shape();
            srcShape[d] = 11;
            Tensor src = normal(40 + d, dtype, srcShape[2], srcShape[0], srcShape[1]);  // viewed as srcShape
            final int fd = dim;
            same("index_select dim " + dim, Tolerances.EXACT, dev,
                    a -> a[0].permute(1, 2, 0).indexSelect(fd, a[1].slice(0, 1, 22, 2)), x, idx);
            same("index_add dim " + dim, addTolerance(dtype), dev,
                    a -> a[0].permute(1, 2, 0).indexAdd(fd, a[1].slice(0, 1, 22, 2), a[2].permute(1, 2, 0)), x, idx, src);
        }
        Tensor none = Tensor.fromArray(new long[0], 0);
        same("index_select of an empty index", Tolerances.EXACT, dev, a -> a[0].indexSelect(1, a[1]), x, none);
        same("index_add of an empty index", Tolerances.EXACT, dev, a -> a[0].indexAdd(1, a[1], a[2]), x, none,
                Tensor.zeros(new int[] {13, 0, 10}, dtype, Device.CPU));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void scatterAddRepeatsItselfExactlyInFloat64(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = Tensor.zeros(new int[] {3, 2}, dtype, dev);
        // Values of very different magnitude onto two elements per row: the sum depends on the order.
        double[] v = new double[3 * 300];
        Random r = new Random(9);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.scalb(r.nextDouble() - 0.5, r.nextInt(40) - 20);
        }
        Tensor src = Tensor.fromArray(v, 3, 300).to(dtype).to(dev);
        Tensor idx = indices(10, 2, 3, 300).to(dev);
        double[] first = x.scatterAdd(1, idx, src).toDoubleArray();
        for (int run = 0; run < 3; run++) {
            double[] again = x.scatterAdd(1, idx, src).toDoubleArray();
            if (dtype == DType.FLOAT64) {
                assertArrayEquals(first, again, 0.0, "float64 scatter_add run " + run);
            } else {
                Tolerances.BALANCED.of(dtype).assertClose("float32 scatter_add run " + run, first, again);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void catWithEmptyAndNonContiguousPieces(Target target, DType dtype) {
        Device dev = target.use();
        Tensor a = normal(11, dtype, 3, 5, 4);                       // viewed as (5, 4, 3)
        Tensor b = normal(12, dtype, 7, 5, 4);                       // viewed as (5, 4, 7), narrowed to (5, 4, 3)
        Tensor empty = Tensor.zeros(new int[] {5, 4, 0}, dtype, Device.CPU);
        for (int dim : new int[] {0, 1, 2, -1}) {
            final int fd = dim;
            boolean last = dim == 2 || dim == -1;
            same("cat dim " + dim, Tolerances.EXACT, dev, t -> {
                Tensor pa = t[0].permute(1, 2, 0);
                Tensor pb = t[1].permute(1, 2, 0).narrow(2, 1, 3);
                return Tensor.cat(last ? new Tensor[] {t[2], pa, t[2], pb, t[2]} : new Tensor[] {pa, pb, pa}, fd);
            }, a, b, empty);
        }
        same("cat of empty pieces", Tolerances.EXACT, dev, t -> Tensor.cat(new Tensor[] {t[0], t[0]}, 2), empty);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void int64AndBoolGoThroughGatherIndexSelectScatterAddAndCat(Target target) {
        Device dev = target.use();
        Tensor x = indices(13, 1000, 4, 6);                          // viewed as (6, 4)
        Tensor idx = indices(14, 6, 3, 4);
        same("int64 gather", Tolerances.EXACT, dev, a -> a[0].transpose(0, 1).gather(0, a[1]), x, idx);
        same("int64 index_select", Tolerances.EXACT, dev, a -> a[0].transpose(0, 1).indexSelect(-1, a[1]), x, indices(15, 4, 9));
        same("int64 scatter_add", Tolerances.EXACT, dev,
                a -> a[0].transpose(0, 1).scatterAdd(0, a[1], a[0].transpose(0, 1).narrow(0, 0, 3)), x, idx);
        same("int64 index_add", Tolerances.EXACT, dev,
                a -> a[0].transpose(0, 1).indexAdd(0, a[1], a[0].transpose(0, 1).narrow(0, 1, 5)), x, indices(16, 6, 5));
        same("int64 cat", Tolerances.EXACT, dev,
                a -> Tensor.cat(new Tensor[] {a[0].transpose(0, 1), a[0].transpose(0, 1).narrow(0, 2, 3)}, 0), x);
        Tensor m = Tensor.fromArray(new boolean[] {true, false, false, true, true, false}, 3, 2);
        Tensor mi = indices(17, 3, 2, 5);
        Tensor md = m.to(dev);
        assertArrayEquals(m.transpose(0, 1).gather(1, mi).toBooleanArray(),
                md.transpose(0, 1).gather(1, mi.to(dev)).toBooleanArray(), "bool gather");
        assertArrayEquals(Tensor.cat(new Tensor[] {m.transpose(0, 1), m.transpose(0, 1)}, 0).toBooleanArray(),
                Tensor.cat(new Tensor[] {md.transpose(0, 1), md.transpose(0, 1)}, 0).toBooleanArray(),
                "bool cat of non-contiguous pieces");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.kiln.cuda.Target#withFloatDtypes")
    void outOfRangeIndicesThrowTheCpuMessage(Target target, DType dtype) {
        Device dev = target.use();
        Tensor x = normal(17, dtype, 2, 3, 6);
        Tensor src = Tensor.ones(new int[] {2, 6, 6}, dtype, Device.CPU);
        for (long bad : new long[] {-1, 3, 1L << 40}) {
            // The bad value comes after good ones and before a second bad one (7) in row-major order.
            Tensor idx = Tensor.fromArray(new long[] {0, 2, 1, bad, 1, 7}, 1, 1, 6);
            Tensor[] cpu = {x, idx, src};
            Tensor[] gpu = Stream.of(cpu).map(t -> t.to(dev)).toArray(Tensor[]::new);
            for (Function<Tensor[], Tensor> op : List.<Function<Tensor[], Tensor>>of(
                    a -> a[0].gather(1, a[1]),
                    a -> a[0].scatterAdd(1, a[1], a[2]),
                    a -> a[0].indexSelect(1, a[1].reshape(6)),
                    a -> a[0].indexAdd(1, a[1].reshape(6), a[2]))) {
                String want = assertThrows(IndexOutOfBoundsException.class, () -> op.apply(cpu)).getMessage();
                String got = assertThrows(IndexOutOfBoundsException.class, () -> op.apply(gpu)).getMessage();
                assertEquals(want, got);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.kiln.cuda.Target#all")
    void anIndexOnAnotherDeviceIsRefusedByName(Target target) {
        Device dev = target.use();
        Tensor x = Tensor.zeros(new int[] {3, 2}, DType.FLOAT32, dev);
        Tensor cpuIndex = Tensor.fromArray(new long[] {0, 2}, 2);
        Tensor src = Tensor.ones(new int[] {2, 2}, DType.FLOAT32, dev);
        for (Function<Tensor, Tensor> op : List.<Function<Tensor, Tensor>>of(
                i -> x.gather(0, i.reshape(2, 1)), i -> x.indexSelect(0, i), i -> x.indexAdd(0, i, src))) {
            String message = assertThrows(IllegalArgumentException.class, () -> op.apply(cpuIndex)).getMessage();
            assertTrue(message.contains("index is on cpu") && message.contains("[3, 2]"), message);
        }
    }
}
