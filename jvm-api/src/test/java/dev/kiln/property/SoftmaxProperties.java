package dev.kiln.property;

import static dev.kiln.testing.TensorAssert.assertClose;

import dev.kiln.Functional;
import dev.kiln.Tensor;
import dev.kiln.testing.Tolerances;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** softmax and log_softmax along any dim of random views against the definition. */
class SoftmaxProperties {
    @Provide
    Arbitrary<Viewed> nonScalar() {
        return TensorArbitraries.views(TensorArbitraries.floatTypes(), TensorArbitraries.shapes(1, 4, 0, 5),
                Viewed.Values.CONTINUOUS).filter(v -> v.ref().rank() > 0);
    }

    @Property(tries = 100)
    void softmaxAlongAnyDimOfAViewMatchesNaive(@ForAll("nonScalar") Viewed x, @ForAll int dimSeed, @ForAll boolean log) {
        int d = Math.floorMod(dimSeed, x.ref().rank());
        NdArray ref = NdArray.build(x.shape(), idx -> {
            int[] j = idx.clone();
            double sum = 0;
            for (j[d] = 0; j[d] < x.shape()[d]; j[d]++) {
                sum += Math.exp(x.ref().get(j));
            }
            double v = x.ref().get(idx);
            return log ? v - Math.log(sum) : Math.exp(v) / sum;
        });
        Tensor got = log ? Functional.logSoftmax(x.kiln(), d) : Functional.softmax(x.kiln(), d);
        assertClose((log ? "log_softmax " : "softmax ") + d + " of " + x + " " + Arrays.toString(x.shape()),
                Viewed.tensor(x.dtype(), ref.shape, ref.data), got, Tolerances.BALANCED);
    }
}
