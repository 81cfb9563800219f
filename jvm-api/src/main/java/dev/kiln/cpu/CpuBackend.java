package dev.kiln.cpu;

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
import dev.kiln.spi.HalvesAsFloat32;
import dev.kiln.spi.ReduceOp;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The pure-Java backend: every primitive, float32 and float64, its loops split over {@link Parallel}'s
 * thread team. bfloat16 and float16: natively where the strided walker serves the family (elementwise,
 * casts, reductions, indexing, random), else through the float32 kernels ({@link HalvesAsFloat32}).
 */
public final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

    /** The families without 16-bit kernels take bfloat16 / float16 through their float32 kernels. */
    private final HalvesAsFloat32 halves = new HalvesAsFloat32(this);

    private CpuBackend() {
        VectorWarmUp.start();
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
        NdArray t = CpuMap.emptyArray(shape, dtype); // filled whole below
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
        return HalvesAsFloat32.any(a, b) ? halves.matmul(a, b) : CpuMatmul.matmul(a, b);
    }

    @Override
    public NdArray sparseMm(NdArray crow, NdArray col, NdArray values, NdArray x) {
        return HalvesAsFloat32.any(values, x) ? halves.sparseMm(crow, col, values, x) : CpuSparse.sparseMm(crow, col, values, x);
    }

    @Override
    public NdArray sampledMm(NdArray row, NdArray col, NdArray a, NdArray b) {
        return HalvesAsFloat32.any(a, b) ? halves.sampledMm(row, col, a, b) : CpuSparse.sampledMm(row, col, a, b);
    }

    @Override
    public NdArray gather(NdArray x, int dim, NdArray index) {
        return CpuIndexing.gather(x, dim, index);
    }

    @Override
    public NdArray scatterAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return HalvesAsFloat32.any(x) ? halves.scatterAdd(x, dim, index, src) : CpuIndexing.scatterAdd(x, dim, index, src);
    }

    @Override
    public NdArray indexSelect(NdArray x, int dim, NdArray index) {
        return CpuIndexing.indexSelect(x, dim, index);
    }

    @Override
    public NdArray indexAdd(NdArray x, int dim, NdArray index, NdArray src) {
        return HalvesAsFloat32.any(x) ? halves.indexAdd(x, dim, index, src) : CpuIndexing.indexAdd(x, dim, index, src);
    }

    @Override
    public NdArray cat(NdArray[] xs, int dim) {
        return CpuIndexing.cat(xs, dim);
    }

    @Override
    public NdArray conv2d(NdArray x, NdArray w, NdArray bias, Conv2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.conv2d(x, w, bias, p) : CpuConv2d.forward(x, w, bias, p);
    }

    @Override
    public NdArray conv2dBackwardInput(NdArray gy, NdArray w, int[] inputShape, Conv2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.conv2dBackwardInput(gy, w, inputShape, p)
                : CpuConv2d.backwardInput(gy, w, inputShape, p);
    }

    @Override
    public NdArray conv2dBackwardWeight(NdArray gy, NdArray x, int[] weightShape, Conv2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.conv2dBackwardWeight(gy, x, weightShape, p)
                : CpuConv2d.backwardWeight(gy, x, weightShape, p);
    }

    @Override
    public NdArray[] maxPool2d(NdArray x, Pool2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.maxPool2d(x, p) : CpuPool2d.maxForward(x, p);
    }

    @Override
    public NdArray maxPool2dBackward(NdArray gy, NdArray indices, int[] inputShape, Pool2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.maxPool2dBackward(gy, indices, inputShape, p)
                : CpuPool2d.maxBackward(gy, indices, inputShape, p);
    }

    @Override
    public NdArray avgPool2d(NdArray x, Pool2dParams p) {
        return HalvesAsFloat32.any(x) ? halves.avgPool2d(x, p) : CpuPool2d.avgForward(x, p);
    }

    @Override
    public NdArray avgPool2dBackward(NdArray gy, int[] inputShape, Pool2dParams p) {
        return HalvesAsFloat32.any(gy) ? halves.avgPool2dBackward(gy, inputShape, p) : CpuPool2d.avgBackward(gy, inputShape, p);
    }

    @Override
    public NdArray softmax(NdArray x, int dim) {
        return HalvesAsFloat32.any(x) ? halves.softmax(x, dim, false) : CpuSoftmax.softmax(x, dim, false);
    }

    @Override
    public NdArray logSoftmax(NdArray x, int dim) {
        return HalvesAsFloat32.any(x) ? halves.softmax(x, dim, true) : CpuSoftmax.softmax(x, dim, true);
    }

    @Override
    public NdArray softmaxBackward(NdArray gy, NdArray y, int dim) {
        return HalvesAsFloat32.any(gy) ? halves.softmaxBackward(gy, y, dim, false) : CpuSoftmax.backward(gy, y, dim, false);
    }

    @Override
    public NdArray logSoftmaxBackward(NdArray gy, NdArray y, int dim) {
        return HalvesAsFloat32.any(gy) ? halves.softmaxBackward(gy, y, dim, true) : CpuSoftmax.backward(gy, y, dim, true);
    }

    @Override
    public NdArray[] batchNormStats(NdArray x) {
        return HalvesAsFloat32.any(x) ? halves.batchNormStats(x) : CpuBatchNorm.stats(x);
    }

    @Override
    public NdArray batchNormElemt(NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray bias) {
        return HalvesAsFloat32.any(x) ? halves.batchNormElemt(x, mean, invstd, weight, bias)
                : CpuBatchNorm.elemt(x, mean, invstd, weight, bias);
    }

    @Override
    public NdArray[] batchNormBackwardReduce(NdArray gy, NdArray x, NdArray mean) {
        return HalvesAsFloat32.any(x) ? halves.batchNormBackwardReduce(gy, x, mean) : CpuBatchNorm.backwardReduce(gy, x, mean);
    }

    @Override
    public NdArray batchNormBackwardElemt(NdArray gy, NdArray x, NdArray mean, NdArray invstd, NdArray weight, NdArray sumDy,
                                         NdArray sumDyXmu, long count) {
        return HalvesAsFloat32.any(x) ? halves.batchNormBackwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count)
                : CpuBatchNorm.backwardElemt(gy, x, mean, invstd, weight, sumDy, sumDyXmu, count);
    }

    @Override
    public NdArray[] attention(NdArray q, NdArray k, NdArray v, AttentionSpec p) {
        return HalvesAsFloat32.any(q) ? halves.attention(q, k, v, p) : CpuAttention.forward(q, k, v, p);
    }

    @Override
    public NdArray[] attentionBackward(NdArray gOut, NdArray q, NdArray k, NdArray v, NdArray out, NdArray logsumexp,
                                      AttentionSpec p) {
        return HalvesAsFloat32.any(q) ? halves.attentionBackward(gOut, q, k, v, out, logsumexp, p)
                : CpuAttention.backward(gOut, q, k, v, out, logsumexp, p);
    }

    @Override
    public NdArray[] dropout(NdArray x, double p, long seed, long offset) {
        return CpuRandom.dropout(x, p, seed, offset);
    }

    @Override
    public void sgdStep(NdArray param, NdArray grad, NdArray momentumBuffer, SgdParams p) {
        if (HalvesAsFloat32.any(param)) {
            halves.sgdStep(param, grad, momentumBuffer, p);
        } else {
            CpuOptim.sgd(param, grad, momentumBuffer, p);
        }
    }

    @Override
    public void adamStep(NdArray param, NdArray grad, NdArray expAvg, NdArray expAvgSq, NdArray maxExpAvgSq, AdamParams p) {
        if (HalvesAsFloat32.any(param)) {
            halves.adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
        } else {
            CpuOptim.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, p);
        }
    }
}
