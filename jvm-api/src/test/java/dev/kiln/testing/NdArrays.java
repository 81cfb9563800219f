package dev.kiln.testing;

import dev.kiln.Tensor;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Tensors;

/** For tests that call a backend directly: tensors to the arrays it takes, and its results back to tensors. */
public final class NdArrays {
    private NdArrays() {
    }

    public static NdArray nd(Tensor t) {
        return t == null ? null : Tensors.array(t);
    }

    public static Tensor tensor(NdArray a) {
        return Tensors.wrap(a);
    }

    public static Tensor[] tensors(NdArray[] as) {
        Tensor[] ts = new Tensor[as.length];
        for (int i = 0; i < as.length; i++) {
            ts[i] = as[i] == null ? null : Tensors.wrap(as[i]);
        }
        return ts;
    }
}
