package dev.kiln.cpu;

import static dev.kiln.cpu.HalfAsFloat32.down;
import static dev.kiln.cpu.HalfAsFloat32.up;
import static dev.kiln.cpu.HalfAsFloat32.writeBack;

import dev.kiln.AdamParams;
import dev.kiln.spi.AttentionSpec;
import dev.kiln.Conv2dParams;
import dev.kiln.DType;
import dev.kiln.HalfFloats;
import dev.kiln.Device;
import dev.kiln.DeviceProperties;
import dev.kiln.MemoryStats;
import dev.kiln.Pool2dParams;
import dev.kiln.SgdParams;
import dev.kiln.spi.NdArray;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.CompareOp;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The pure-Java backend: every primitive, float32 and float64 (bfloat16 and float16 through float32:
 * {@link HalfAsFloat32}), its loops split over {@link Parallel}'s thread team.
 */
public final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The JVM heap's counters: CPU tensors are Java arrays on it. */
    @Override
    public MemoryStats memoryStats() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new MemoryStats(heap.getUsed(), Math.max(peak, heap.getUsed()), heap.getCommitted() - heap.getUsed(),
                CpuStorage.allocations());
    }

    /** The cores the kernels' team may use (one thread each); no specified peaks: kiln bench measures them. */
    @Override
    public DeviceProperties properties() {
        return new DeviceProperties("cpu", Parallel.maxThreads(), 1, 0, 0);
    }

    @Override
    public Storage allocate(DType dtype, int size, Device device) {
        return CpuStorage.allocate(dtype, size);
    }

    @Override
    public Storage fromArray(Object array, DType dtype, Device device) {
        CpuStorage s;
        if (array instanceof float[] f) {
            s = new CpuStorage(f.clone());
        } else if (array instanceof double[] d) {
            s = new CpuStorage(d.clone());
        } else if (array instanceof long[] l) {
            s = new CpuStorage(l.clone());
        } else if (array instanceof boolean[] b) {
            s = new CpuStorage(b.clone());
        } else if (array instanceof short[] bits) {
            s = new CpuStorage(bits.clone(), dtype);
        } else {
            s = new CpuStorage(array); // throws, naming the unsupported type
        }
        if (s.dtype() != dtype) {
            throw new IllegalArgumentException("cpu: a " + array.getClass().getSimpleName() + " holds " + s.dtype()
                    + " elements, not " + dtype);
        }
        return s;
    }

    @Override
    public Object toArray(NdArray x) {
        // a fresh copy the caller keeps: its storage must not pool it when a scope releases it
        return ((CpuStorage) CpuElementwise.contiguous(x).storage()).surrender();
    }

    @Override
    public void copyToBuffer(NdArray x, ByteBuffer dst) {
        CpuStaging.copyToBuffer(x, dst);
    }

    @Override
    public void copyFromBuffer(ByteBuffer src, NdArray dst) {
        CpuStaging.copyFromBuffer(src, dst);
    }

    @Override
    public NdArray contiguous(NdArray x) {
        return CpuElementwise.contiguous(x);
    }

    @Override
    public NdArray cast(NdArray x, DType dtype) {
        return CpuElementwise.cast(x, dtype);
    }

    @Override
    public void copyInto(NdArray dst, NdArray src) {
        CpuElementwise.copyInto(dst, src);
    }

    @Override
    public NdArray full(int[] shape, DType dtype, double value, Device device) {
        NdArray t = CpuMap.newArray(shape, dtype);
        Object a = CpuStorage.array(t);
        if (a instanceof float[] f) {
            Arrays.fill(f, (float) value);
        } else if (a instanceof double[] d) {
            Arrays.fill(d, value);
        } else if (a instanceof long[] l) {
            Arrays.fill(l, (long) value);
        } else if (a instanceof short[] h) {
            Arrays.fill(h, HalfFloats.fromFloat(dtype, (float) value));   // double -> float -> 16 bits, as PyTorch
        } else {
            Arrays.fill((boolean[]) a, value != 0);
        }
        return t;
    }

    @Override
    public NdArray arange(double start, double step, int n, DType dtype, Device device) {
        if (dtype == DType.INT64) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = (long) (start + i * step);
            }
            return CpuMap.ofArray(v, n);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return CpuElementwise.cast(CpuMap.ofArray(v, n), dtype);
    }

    @Override
    public NdArray uniform(int[] shape, DType dtype, double low, double high, long seed, long offset, Device device) {
        return CpuRandom.uniform(shape, dtype, low, high, seed, offset);
    }

    @Override
    public NdArray normal(int[] shape, DType dtype, double mean, double std, long seed, long offset, Device device) {
        return CpuRandom.normal(shape, dtype, mean, std, seed, offset);
    }

    @Override
    public NdArray unary(UnaryOp op, NdArray x) {
        return CpuElementwise.unary(op, x);
    }

    @Override
    public NdArray binary(BinaryOp op, NdArray a, NdArray b) {
        return CpuElementwise.binary(op, a, b);
    }

    @Override
    public NdArray compare(CompareOp op, NdArray a, NdArray b) {
        return CpuElementwise.compare(op, a, b);
    }

    @Override
    public NdArray where(NdArray cond, NdArray a, NdArray b) {
        return CpuElementwise.where(cond, a, b);
    }

    @Override
    public NdArray reduce(ReduceOp op, NdArray x, int[] dims, boolean keepdim) {
        return CpuReduce.reduce(op, x, dims, keepdim);
    }

    @Override
    public NdArray[] reduceWithIndices(ReduceOp op, NdArray x, int dim, boolean keepdim) {
        return CpuReduce.reduceWithIndices(op, x, dim, keepdim);
    }

    @Override
    public NdArray variance(NdArray x, int[] dims, double correction, boolean keepdim) {
        return CpuReduce.variance(x, dims, correction, keepdim);
    }

    @Override
    public NdArray matmul(NdArray a, NdArray b) {
        return down(CpuMatmul.matmul(up(a), up(b)), a.dtype());
    }

    @Override
    public NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        return down(CpuSparse.sparseMm(crow, col, up(values), up(x)), x.dtype());
    }

    @Override
    public NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        return down(CpuSparse.sampledMm(row, col, up(a), up(b)), a.dtype());
    }

    @Override
    public NdArray gather(NdArray x, int dim, NdArray index) {
        return CpuIndexing.gather(x, dim, index);
    }

    @Override
    public NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return down(CpuIndexing.scatterAdd(up(x), dim, index, up(src)), x.dtype());
    }

    @Override
    public NdArray indexSelect(NdArray x, int dim, NdArray index) {
        return CpuIndexing.indexSelect(x, dim, index);
    }

    @Override
    public NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return down(CpuIndexing.indexAdd(up(x), dim, index, up(src)), x.dtype());
    }

    @Override
    public NdArray cat(NdArray[] xs, int dim) {
        return CpuIndexing.cat(xs, dim);
    }

    @Override
    public NdArray conv2d(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        return down(CpuConv2d.forward(up(x), up(w), up(bias), p), x.dtype());
    }

    @Override
    public NdArray conv2dBackwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        return down(CpuConv2d.backwardInput(up(gy), up(w), inputShape, p), gy.dtype());
    }

    @Override
    public NdArray conv2dBackwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        return down(CpuConv2d.backwardWeight(up(gy), up(x), weightShape, p), gy.dtype());
    }

    @Override
    public NdArray[] maxPool2d(NdArray x, Pool2dParams p) {
        return down(CpuPool2d.maxForward(up(x), p), x.dtype());
    }

    @Override
    public NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        return down(CpuPool2d.maxBackward(up(gy), indices, inputShape, p), gy.dtype());
    }

    @Override
    public NdArray avgPool2d(NdArray x, Pool2dParams p) {
        return down(CpuPool2d.avgForward(up(x), p), x.dtype());
    }

    @Override
    public NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        return down(CpuPool2d.avgBackward(up(gy), inputShape, p), gy.dtype());
    }

    @Override
    public NdArray softmax(NdArray x, int dim) {
        return down(CpuSoftmax.softmax(up(x), dim, false), x.dtype());
    }

    @Override
    public NdArray logSoftmax(NdArray x, int dim) {
        return down(CpuSoftmax.softmax(up(x), dim, true), x.dtype());
    }

    @Override
    public NdArray softmaxBackward(NdArray gy, NdArray y, int dim) {
        return down(CpuSoftmax.backward(up(gy), up(y), dim, false), gy.dtype());
    }

    @Override
    public NdArray logSoftmaxBackward(NdArray gy, NdArray y, int dim) {
        return down(CpuSoftmax.backward(up(gy), up(y), dim, true), gy.dtype());
    }

    @Override
    public NdArray[] batchNormStats(NdArray x) {
        return down(CpuBatchNorm.stats(up(x)), x.dtype());
    }

    @Override
    public NdArray batchNormElemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        return down(CpuBatchNorm.elemt(up(x), up(mean), up(invstd), up(weight), up(bias)), x.dtype());
    }

    @Override
    public NdArray[] batchNormBackwardReduce(NdArray gy, NdArray x, NdArray mean) {
        return down(CpuBatchNorm.backwardReduce(up(gy), up(x), up(mean)), x.dtype());
    }

    @Override
    public NdArray batchNormBackwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                         NdArray sumDyXmu, long count) {
        return down(CpuBatchNorm.backwardElemt(up(gy), up(x), up(mean), up(invstd), up(weight), up(sumDy), up(sumDyXmu),
                count), x.dtype());
    }

    @Override
    public NdArray[] attention(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        return down(CpuAttention.forward(up(q), up(k), up(v), new AttentionSpec(up(p.mask()), p.causal(), p.scale())), q.dtype());
    }

    @Override
    public NdArray[] attentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp,
                                      AttentionSpec p) {
        return down(CpuAttention.backward(up(gOut), up(q), up(k), up(v), up(out), up(logsumexp),
                new AttentionSpec(up(p.mask()), p.causal(), p.scale())), q.dtype());
    }

    @Override
    public NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        return CpuRandom.dropout(x, p, seed, offset);
    }

    @Override
    public void sgdStep(NdArray param, NdArray grad, NdArray momentumBuffer, SgdParams p) {
        NdArray wide = up(param);
        NdArray buffer = up(momentumBuffer);
        CpuOptim.sgd(wide, up(grad), buffer, p);
        writeBack(param, wide);
        writeBack(momentumBuffer, buffer);
    }

    @Override
    public void adamStep(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        NdArray wide = up(param);
        NdArray m = up(expAvg);
        NdArray v = up(expAvgSq);
        NdArray vMax = up(maxExpAvgSq);
        CpuOptim.adam(wide, up(grad), m, v, vMax, p);
        writeBack(param, wide);
        writeBack(expAvg, m);
        writeBack(expAvgSq, v);
        writeBack(maxExpAvgSq, vMax);
    }
}
