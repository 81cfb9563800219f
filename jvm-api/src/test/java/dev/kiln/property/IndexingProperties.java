package dev.kiln.property;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** gather, scatter_add, index_select, index_add and cat on random views against naive index loops. */
class IndexingProperties {
    @Provide
    Arbitrary<Viewed> nonScalar() {
        return TensorArbitraries.views(TensorArbitraries.floatTypes(), TensorArbitraries.shapes(1, 4, 0, 5),
                Viewed.Values.CONTINUOUS).filter(v -> v.ref().rank() > 0);
    }

    private static int dim(Viewed x, int seed) {
        return Math.floorMod(seed, x.ref().rank());
    }

    /** int64 indices in [0, bound) of the given shape, from a seed. */
    private static NdArray indices(int[] shape, int bound, long seed) {
        Random rnd = new Random(seed);
        return NdArray.build(shape, idx -> rnd.nextInt(bound));
    }

    private static Tensor longs(NdArray a) {
        return Viewed.tensor(DType.INT64, a.shape, a.data);
    }

    private static Tensor expected(NdArray ref, DType dtype) {
        return Viewed.tensor(dtype, ref.shape, ref.data);
    }

    @Property(tries = 100)
    void gatherMatchesNaive(@ForAll("nonScalar") Viewed x, @ForAll int dimSeed, @ForAll long seed) {
        int d = dim(x, dimSeed);
        Assume.that(x.shape()[d] > 0);
        int[] is = x.shape();
        Random rnd = new Random(seed);
        for (int i = 0; i < is.length; i++) {
            is[i] = i == d ? rnd.nextInt(4) : rnd.nextInt(is[i] + 1); // index may be smaller than x off dim
        }
        NdArray index = indices(is, x.shape()[d], seed);
        NdArray ref = NdArray.build(is, idx -> {
            int[] src = idx.clone();
            src[d] = (int) index.get(idx);
            return x.ref().get(src);
        });
        assertClose("gather " + d + " of " + x, expected(ref, x.dtype()), x.kiln().gather(d, longs(index)), Tolerances.EXACT);
    }

    @Property(tries = 100)
    void scatterAddAccumulatesLikeNaive(@ForAll("nonScalar") Viewed x, @ForAll int dimSeed, @ForAll long seed) {
        int d = dim(x, dimSeed);
        Assume.that(x.shape()[d] > 0);
        Random rnd = new Random(seed);
        int[] is = x.shape();
        is[d] = rnd.nextInt(5);
        Viewed src = Viewed.permutedOf(x.dtype(), is, seed, Viewed.Values.CONTINUOUS);
        NdArray index = indices(is, x.shape()[d], seed + 1);
        double[] out = x.ref().data.clone();
        NdArray outRef = new NdArray(x.shape(), out);
        int[] idx = new int[is.length];
        for (int i = 0; i < index.numel(); i++) {
            int[] dst = idx.clone();
            dst[d] = (int) index.get(idx);
            out[outRef.offset(dst)] += src.ref().get(idx);
            NdArray.next(idx, is);
        }
        Tensor got = x.kiln().scatterAdd(d, longs(index), src.kiln());
        assertClose("scatter_add " + d + " of " + src + " into " + x, expected(outRef, x.dtype()), got, Tolerances.STRICT);
    }

    @Property(tries = 100)
    void indexSelectAndIndexAddMatchNaive(@ForAll("nonScalar") Viewed x, @ForAll int dimSeed, @ForAll long seed) {
        int d = dim(x, dimSeed);
        Assume.that(x.shape()[d] > 0);
        int n = new Random(seed).nextInt(5);
        NdArray index = indices(new int[] {n}, x.shape()[d], seed);
        int[] selShape = x.shape();
        selShape[d] = n;
        NdArray selected = NdArray.build(selShape, idx -> {
            int[] src = idx.clone();
            src[d] = (int) index.get(idx[d]);
            return x.ref().get(src);
        });
        assertClose("index_select " + d + " of " + x, expected(selected, x.dtype()),
                x.kiln().indexSelect(d, longs(index)), Tolerances.EXACT);
        long[] padded = new long[n + 4]; // the index as a view inside a longer array of out-of-range values
        java.util.Arrays.fill(padded, x.shape()[d] + 7L);
        for (int i = 0; i < n; i++) {
            padded[2 + i] = (long) index.get(i);
        }
        assertClose("index_select " + d + " of " + x + " by a view", expected(selected, x.dtype()),
                x.kiln().indexSelect(d, Tensor.fromArray(padded, n + 4).narrow(0, 2, n)), Tolerances.EXACT);

        Viewed src = Viewed.permutedOf(x.dtype(), selShape, seed + 1, Viewed.Values.CONTINUOUS);
        double[] out = x.ref().data.clone();
        NdArray outRef = new NdArray(x.shape(), out);
        int[] idx = new int[selShape.length];
        for (int i = 0; i < NdArray.numel(selShape); i++) {
            int[] dst = idx.clone();
            dst[d] = (int) index.get(idx[d]);
            out[outRef.offset(dst)] += src.ref().get(idx);
            NdArray.next(idx, selShape);
        }
        assertClose("index_add " + d + " of " + src + " into " + x, expected(outRef, x.dtype()),
                x.kiln().indexAdd(d, longs(index), src.kiln()), Tolerances.STRICT);
    }

    @Property(tries = 100)
    void catOfViewsMatchesNaive(@ForAll("nonScalar") Viewed x, @ForAll int dimSeed, @ForAll long seed) {
        int d = dim(x, dimSeed);
        Random rnd = new Random(seed);
        int[] os = x.shape();
        os[d] = rnd.nextInt(4);
        Viewed y = Viewed.permutedOf(x.dtype(), os, seed, Viewed.Values.CONTINUOUS);
        int[] outShape = x.shape();
        outShape[d] += os[d];
        int split = x.shape()[d];
        NdArray ref = NdArray.build(outShape, idx -> {
            int[] i = idx.clone();
            if (i[d] < split) {
                return x.ref().get(i);
            }
            i[d] -= split;
            return y.ref().get(i);
        });
        Tensor got = Tensor.cat(new Tensor[] {x.kiln(), y.kiln(), x.kiln().narrow(d, 0, 0)}, d - (rnd.nextBoolean() ? x.ref().rank() : 0));
        assertClose("cat along " + d + " of " + x + ", " + y, expected(ref, x.dtype()), got, Tolerances.EXACT);
    }
}
