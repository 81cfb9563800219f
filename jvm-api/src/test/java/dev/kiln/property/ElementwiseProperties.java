package dev.kiln.property;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.UnaryOp;
import dev.kiln.testing.TensorOps;
import dev.kiln.testing.Tolerances;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Every unary, binary, comparison op and where, on random views with broadcasting, against {@link Naive}. */
class ElementwiseProperties {
    @Provide
    Arbitrary<Viewed> continuous() {
        return TensorArbitraries.views(Viewed.Values.CONTINUOUS);
    }

    @Provide
    Arbitrary<Viewed> halves() {
        return TensorArbitraries.views(Viewed.Values.HALVES);
    }

    private static Tensor expected(NdArray ref, DType dtype) {
        return Viewed.tensor(dtype, ref.shape, ref.data);
    }

    @Property(tries = 150)
    void unaryOnAViewMatchesNaive(@ForAll("continuous") Viewed x, @ForAll UnaryOp op, @ForAll long seed) {
        if (op == UnaryOp.LOGICAL_NOT) {
            Viewed b = Viewed.permutedOf(DType.BOOL, x.shape(), seed, Viewed.Values.BITS);
            assertClose(op + " of " + b, expected(Naive.map(b.ref(), Naive.unary(op)), DType.BOOL),
                    TensorOps.unary(op, b.kiln()), Tolerances.EXACT);
            return;
        }
        Tensor out = TensorOps.unary(op, x.kiln());
        assertClose(op + " of " + x, expected(Naive.map(x.ref(), Naive.unary(op)), x.dtype()), out, Tolerances.STRICT);
    }

    @Property(tries = 150)
    void binaryOfBroadcastViewsMatchesNaive(@ForAll("continuous") Viewed x, @ForAll BinaryOp op, @ForAll long seed,
                                            @ForAll boolean swap) {
        DType dtype = op.logical() ? DType.BOOL : x.dtype();
        Viewed a = op.logical() ? Viewed.permutedOf(dtype, x.shape(), seed, Viewed.Values.BITS) : x;
        int[] partner = TensorArbitraries.broadcastPartner(a.shape(), seed);
        Viewed b = Viewed.permutedOf(dtype, partner, seed + 1, op.logical() ? Viewed.Values.BITS : Viewed.Values.CONTINUOUS);
        Viewed l = swap ? b : a;
        Viewed r = swap ? a : b;
        Tensor out = TensorOps.binary(op, l.kiln(), r.kiln());
        NdArray ref = Naive.zip(l.ref(), r.ref(), Naive.binary(op));
        assertClose(op + "(" + l + ", " + r + ")", expected(ref, dtype), out, Tolerances.STRICT);
    }

    @Property(tries = 100)
    void comparisonWithTiesMatchesNaive(@ForAll("halves") Viewed a, @ForAll CompareOp op, @ForAll long seed) {
        Viewed b = Viewed.permutedOf(a.dtype(), TensorArbitraries.broadcastPartner(a.shape(), seed), seed,
                Viewed.Values.HALVES);
        Tensor out = TensorOps.compare(op, a.kiln(), b.kiln());
        assertClose(op + "(" + a + ", " + b + ")", expected(Naive.zip(a.ref(), b.ref(), Naive.compare(op)), DType.BOOL),
                out, Tolerances.EXACT);
    }

    @Property(tries = 100)
    void whereOfThreeBroadcastViewsMatchesNaive(@ForAll("continuous") Viewed a, @ForAll long seed) {
        Viewed cond = Viewed.permutedOf(DType.BOOL, TensorArbitraries.broadcastPartner(a.shape(), seed), seed,
                Viewed.Values.BITS);
        Viewed b = Viewed.permutedOf(a.dtype(), TensorArbitraries.broadcastPartner(a.shape(), seed + 1), seed + 1,
                Viewed.Values.CONTINUOUS);
        Tensor out = Tensor.where(cond.kiln(), a.kiln(), b.kiln());
        NdArray ca = Naive.zip(cond.ref(), a.ref(), (c, x) -> c != 0 ? x : Double.NaN);
        NdArray ref = NdArray.build(Naive.broadcastShape(ca.shape, b.ref().shape), idx -> {
            double v = ca.broadcastGet(idx);
            return cond.ref().broadcastGet(idx) != 0 ? v : b.ref().broadcastGet(idx);
        });
        assertClose("where(" + cond + ", " + a + ", " + b + ")", expected(ref, a.dtype()), out, Tolerances.EXACT);
    }
}
