package dev.kiln.spi;

import dev.kiln.AdamParams;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.Device;
import dev.kiln.Pool2dParams;
import dev.kiln.SgdParams;
import java.util.ArrayList;
import java.util.List;

/**
 * bfloat16 and float16 for a backend's primitives that have float32 kernels only: the 16-bit inputs are
 * widened to float32 (exactly) by the backend's own cast, the float32 primitive runs, and each floating
 * result is rounded once to the 16-bit dtype — float32 accumulation and one rounding, the numerics of
 * PyTorch's kernels for these dtypes. The widened copies and the float32 results are released as soon as
 * the call returns (device memory goes back at once). A backend routes a call here when an input is
 * 16-bit; the call comes back to it with float32 arrays. Methods are named as {@link Backend}'s.
 */
public final class HalvesAsFloat32 {
    private final Backend backend;

    public HalvesAsFloat32(Backend backend) {
        this.backend = backend;
    }

    /** The temporaries of one call, released on close. */
    private final class Call implements AutoCloseable {
        private final List<Storage> made = new ArrayList<>();

        /** x as float32 when it is 16-bit (a temporary), else x; null stays null. */
        NdArray up(NdArray x) {
            if (x == null || !x.dtype().isHalf()) {
                return x;
            }
            NdArray wide = backend.cast(x, DType.FLOAT32);
            made.add(wide.storage());
            return wide;
        }

        /** A float32 result rounded to dtype (the float32 one released); indices, masks and other dtypes kept. */
        NdArray down(NdArray y, DType dtype) {
            if (!dtype.isHalf() || y.dtype() != DType.FLOAT32) {
                return y;
            }
            NdArray rounded = backend.cast(y, dtype);
            made.add(y.storage());
            return rounded;
        }

        NdArray[] down(NdArray[] ys, DType dtype) {
            for (int i = 0; i < ys.length; i++) {
                ys[i] = down(ys[i], dtype);
            }
            return ys;
        }

        /** After an in-place primitive ran on {@code wide}, the float32 twin of dst from {@link #up}: dst = wide, rounded. */
        void writeBack(NdArray dst, NdArray wide) {
            if (dst != null && wide != dst) {
                NdArray rounded = backend.cast(wide, dst.dtype());
                made.add(rounded.storage());
                backend.copyInto(dst, rounded);
            }
        }

        @Override
        public void close() {
            made.forEach(Storage::release);
        }
    }

    /** True when any of the arrays is bfloat16 or float16. */
    public static boolean any(NdArray... xs) {
        for (NdArray x : xs) {
            if (x != null && x.dtype().isHalf()) {
                return true;
            }
        }
        return false;
    }

    public NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device) {
        try (Call c = new Call()) {   // float32's draws, rounded
            return c.down(backend.uniform(shape, DType.FLOAT32, low, high, seed, offset, device), dtype);
        }
    }

    public NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device) {
        try (Call c = new Call()) {
            return c.down(backend.normal(shape, DType.FLOAT32, mean, std, seed, offset, device), dtype);
        }
    }

    public NdArray unary(UnaryOp op, NdArray x) {
        try (Call c = new Call()) {
            return c.down(backend.unary(op, c.up(x)), x.dtype());
        }
    }

    public NdArray binary(BinaryOp op, NdArray a, NdArray b) {
        try (Call c = new Call()) {
            return c.down(backend.binary(op, c.up(a), c.up(b)), a.dtype());
        }
    }

    public NdArray compare(CompareOp op, NdArray a, NdArray b) {
        try (Call c = new Call()) {
            return backend.compare(op, c.up(a), c.up(b));
        }
    }

    public NdArray where(NdArray cond, NdArray a, NdArray b) {
        try (Call c = new Call()) {
            return c.down(backend.where(cond, c.up(a), c.up(b)), a.dtype());
        }
    }

    public NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        try (Call c = new Call()) {
            return c.down(backend.reduce(op, c.up(x), dims, keepdim), x.dtype());
        }
    }

    public NdArray[] reduceWithIndices(ReduceOp op, NdArray x, int dim, boolean keepdim) {
        try (Call c = new Call()) {
            return c.down(backend.reduceWithIndices(op, c.up(x), dim, keepdim), x.dtype());
        }
    }

    public NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim) {
        try (Call c = new Call()) {
            return c.down(backend.variance(c.up(x), dims, correction, keepdim), x.dtype());
        }
    }

    public NdArray matmul(NdArray a, NdArray b) {
        try (Call c = new Call()) {
            return c.down(backend.matmul(c.up(a), c.up(b)), a.dtype());
        }
    }

    public NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        try (Call c = new Call()) {
            return c.down(backend.sparseMm(crow, col, c.up(values), c.up(x)), x.dtype());
        }
    }

    public NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        try (Call c = new Call()) {
            return c.down(backend.sampledMm(row, col, c.up(a), c.up(b)), a.dtype());
        }
    }

    public NdArray gather(NdArray x, int dim, NdArray index) {
        try (Call c = new Call()) {
            return c.down(backend.gather(c.up(x), dim, index), x.dtype());
        }
    }

    public NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        try (Call c = new Call()) {
            return c.down(backend.scatterAdd(c.up(x), dim, index, c.up(src)), x.dtype());
        }
    }

    public NdArray indexSelect(NdArray x, int dim, NdArray index) {
        try (Call c = new Call()) {
            return c.down(backend.indexSelect(c.up(x), dim, index), x.dtype());
        }
    }

    public NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        try (Call c = new Call()) {
            return c.down(backend.indexAdd(c.up(x), dim, index, c.up(src)), x.dtype());
        }
    }

    public NdArray cat(NdArray[] xs, int dim) {
        try (Call c = new Call()) {
            NdArray[] wide = new NdArray[xs.length];
            for (int i = 0; i < xs.length; i++) {
                wide[i] = c.up(xs[i]);
            }
            return c.down(backend.cat(wide, dim), xs[0].dtype());
        }
    }

    public NdArray conv2d(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.conv2d(c.up(x), c.up(w), c.up(bias), p), x.dtype());
        }
    }

    public NdArray conv2dBackwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.conv2dBackwardInput(c.up(gy), c.up(w), inputShape, p), gy.dtype());
        }
    }

    public NdArray conv2dBackwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.conv2dBackwardWeight(c.up(gy), c.up(x), weightShape, p), gy.dtype());
        }
    }

    public NdArray[] maxPool2d(NdArray x, Pool2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.maxPool2d(c.up(x), p), x.dtype());
        }
    }

    public NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.maxPool2dBackward(c.up(gy), indices, inputShape, p), gy.dtype());
        }
    }

    public NdArray avgPool2d(NdArray x, Pool2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.avgPool2d(c.up(x), p), x.dtype());
        }
    }

    public NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        try (Call c = new Call()) {
            return c.down(backend.avgPool2dBackward(c.up(gy), inputShape, p), gy.dtype());
        }
    }

    public NdArray softmax(NdArray x, int dim, boolean log) {
        try (Call c = new Call()) {
            NdArray wide = c.up(x);
            return c.down(log ? backend.logSoftmax(wide, dim) : backend.softmax(wide, dim), x.dtype());
        }
    }

    public NdArray softmaxBackward(NdArray gy, NdArray y, int dim, boolean log) {
        try (Call c = new Call()) {
            NdArray g = c.up(gy);
            NdArray out = c.up(y);
            return c.down(log ? backend.logSoftmaxBackward(g, out, dim) : backend.softmaxBackward(g, out, dim), gy.dtype());
        }
    }

    public NdArray[] batchNormStats(NdArray x) {
        try (Call c = new Call()) {
            return c.down(backend.batchNormStats(c.up(x)), x.dtype());
        }
    }

    public NdArray batchNormElemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        try (Call c = new Call()) {
            return c.down(backend.batchNormElemt(c.up(x), c.up(mean), c.up(invstd), c.up(weight), c.up(bias)), x.dtype());
        }
    }

    public NdArray[] batchNormBackwardReduce(NdArray gy, NdArray x, NdArray mean) {
        try (Call c = new Call()) {
            return c.down(backend.batchNormBackwardReduce(c.up(gy), c.up(x), c.up(mean)), x.dtype());
        }
    }

    public NdArray batchNormBackwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                         NdArray sumDyXmu, long count) {
        try (Call c = new Call()) {
            return c.down(backend.batchNormBackwardElemt(c.up(gy), c.up(x), c.up(mean), c.up(invstd), c.up(weight), c.up(sumDy),
                    c.up(sumDyXmu), count), x.dtype());
        }
    }

    public NdArray[] attention(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        try (Call c = new Call()) {
            return c.down(backend.attention(c.up(q), c.up(k), c.up(v), new AttentionSpec(c.up(p.mask()), p.causal(), p.scale())),
                    q.dtype());
        }
    }

    public NdArray[] attentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp,
                                       AttentionSpec p) {
        try (Call c = new Call()) {
            return c.down(backend.attentionBackward(c.up(gOut), c.up(q), c.up(k), c.up(v), c.up(out), c.up(logsumexp),
                    new AttentionSpec(c.up(p.mask()), p.causal(), p.scale())), q.dtype());
        }
    }

    public NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        try (Call c = new Call()) {   // float32's draws, as the cpu backend takes for 16-bit inputs
            return c.down(backend.dropout(c.up(x), p, seed, offset), x.dtype());
        }
    }

    public void sgdStep(NdArray param, NdArray grad, NdArray momentumBuffer, SgdParams p) {
        try (Call c = new Call()) {
            NdArray wide = c.up(param);
            NdArray buffer = c.up(momentumBuffer);
            backend.sgdStep(wide, c.up(grad), buffer, p);
            c.writeBack(param, wide);
            c.writeBack(momentumBuffer, buffer);
        }
    }

    public void adamStep(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        try (Call c = new Call()) {
            NdArray wide = c.up(param);
            NdArray m = c.up(expAvg);
            NdArray v = c.up(expAvgSq);
            NdArray vMax = c.up(maxExpAvgSq);
            backend.adamStep(wide, c.up(grad), m, v, vMax, p);
            c.writeBack(param, wide);
            c.writeBack(expAvg, m);
            c.writeBack(expAvgSq, v);
            c.writeBack(maxExpAvgSq, vMax);
        }
    }
}
